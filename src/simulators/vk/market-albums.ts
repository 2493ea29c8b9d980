import { randomBytes } from 'node:crypto';
import type { CallContext, Handler } from './context.js';
import { adminOf, managedCommunity, readableCommunity, unixNow } from './context.js';
import { paramError, vkError } from './errors.js';
import { findItem } from './market-items.js';
import { itemsOfAlbum, type SimAlbum } from './state.js';
import { bool, int, intList } from './validate.js';

function findAlbum(ctx: CallContext, ownerId: number, albumId: number): SimAlbum {
  const album = ctx.state.albums.get(albumId);
  if (!album || album.ownerId !== ownerId) throw vkError(1402);
  return album;
}

const CATEGORIES = [
  {
    id: 1,
    name: 'Гардероб',
    children: [
      { id: 1, name: 'Женская одежда' },
      { id: 2, name: 'Мужская одежда' },
    ],
  },
  {
    id: 4,
    name: 'Продукты питания',
    children: [
      { id: 40932, name: 'Продукты питания' },
      { id: 40933, name: 'Напитки' },
    ],
  },
  { id: 5, name: 'Разное', children: [{ id: 1000, name: 'Другое' }] },
];

export const albumMethods: Record<string, Handler> = {
  'market.getAlbums': (ctx, params) => {
    const community = readableCommunity(ctx, params.owner_id);
    const offset = int(params, 'offset');
    const count = int(params, 'count', 50);
    const all = [...ctx.state.albums.values()]
      .filter((a) => a.ownerId === -community.id)
      .sort((a, b) => a.id - b.id);
    return {
      count: all.length,
      items: all.slice(offset, offset + count).map((a) => ({
        id: a.id,
        owner_id: a.ownerId,
        title: a.title,
        count: itemsOfAlbum(ctx.state, a.id).length,
        is_main: a.isMain,
        is_hidden: a.isHidden,
        updated_time: a.updatedTime,
      })),
    };
  },
  'market.addAlbum': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const own = [...ctx.state.albums.values()].filter((a) => a.ownerId === -community.id);
    if (own.length >= ctx.settings.maxAlbumsPerCommunity) throw vkError(1407);
    const album: SimAlbum = {
      id: ctx.state.nextId.album++,
      ownerId: -community.id,
      title: params.title ?? '',
      isMain: bool(params, 'main_album'),
      isHidden: bool(params, 'is_hidden'),
      updatedTime: unixNow(ctx),
    };
    ctx.state.albums.set(album.id, album);
    return { market_album_id: album.id, albums_count: own.length + 1 };
  },
  'market.editAlbum': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const album = findAlbum(ctx, -community.id, int(params, 'album_id'));
    album.title = params.title ?? album.title;
    if (params.is_hidden !== undefined) album.isHidden = bool(params, 'is_hidden');
    album.updatedTime = unixNow(ctx);
    return 1;
  },
  'market.deleteAlbum': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const album = findAlbum(ctx, -community.id, int(params, 'album_id'));
    ctx.state.albums.delete(album.id);
    for (const item of ctx.state.items.ofOwner(album.ownerId)) {
      item.albumIds = item.albumIds.filter((id) => id !== album.id);
    }
    return 1;
  },
  'market.addToAlbum': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const albums = intList(params, 'album_ids').map((id) => findAlbum(ctx, -community.id, id));
    const items = intList(params, 'item_ids').map((id) => findItem(ctx, -community.id, id));
    for (const item of items) {
      for (const album of albums) if (item.albumIds.includes(album.id)) throw vkError(1404);
    }
    for (const item of items) for (const album of albums) item.albumIds.push(album.id);
    return 1;
  },
  'market.removeFromAlbum': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const albums = intList(params, 'album_ids').map((id) => findAlbum(ctx, -community.id, id));
    const item = findItem(ctx, -community.id, int(params, 'item_id'));
    item.albumIds = item.albumIds.filter((id) => !albums.some((a) => a.id === id));
    return 1;
  },
  'market.getCategories': () => ({ items: CATEGORIES }),
  'market.getProductPhotoUploadServer': (ctx, params) => {
    const community = adminOf(ctx, int(params, 'group_id'));
    const key = randomBytes(8).toString('hex');
    return {
      upload_url: `${ctx.origin}/upload/market?act=do_add&gid=${community.id}&key=${key}`,
    };
  },
  'market.saveProductPhoto': (ctx, params) => {
    let hash: unknown;
    try {
      hash = (JSON.parse(params.upload_response ?? '') as { hash?: unknown }).hash;
    } catch {
      throw paramError('upload_response is invalid');
    }
    const photo = typeof hash === 'string' ? ctx.state.uploads.get(hash) : undefined;
    if (!photo) throw paramError('upload_response is invalid or already used');
    adminOf(ctx, photo.groupId);
    ctx.state.uploads.delete(hash as string);
    ctx.state.photos.set(photo.id, photo);
    return { photo_id: photo.id };
  },
};
