import type { CallContext, Handler } from './context.js';
import { managedCommunity, readableCommunity, unixNow } from './context.js';
import { paramError, vkError } from './errors.js';
import type { SimItem } from './state.js';
import { bool, int, intList, type RawParams } from './validate.js';

const CURRENCY = { id: 643, name: 'RUB', title: 'Российский рубль' };

function photoObject(ctx: CallContext, photoId: number) {
  const photo = ctx.state.photos.get(photoId);
  const width = photo?.width ?? 400;
  const height = photo?.height ?? 400;
  return {
    id: photoId,
    owner_id: -(photo?.groupId ?? 0),
    album_id: -53,
    date: unixNow(ctx),
    sizes: [{ type: 'x', url: `${ctx.origin}/photos/${photoId}.png`, width, height }],
  };
}

export function itemObject(ctx: CallContext, item: SimItem, extended: boolean) {
  const amount = Math.round(item.price * 100);
  const base = {
    id: item.id,
    owner_id: item.ownerId,
    title: item.title,
    description: item.description,
    price: {
      amount: String(amount),
      currency: CURRENCY,
      text: `${(amount / 100).toLocaleString('ru-RU')} ₽`,
      ...(item.oldPrice !== null ? { old_amount: String(Math.round(item.oldPrice * 100)) } : {}),
    },
    category: { id: item.categoryId, name: 'Категория', section: { id: 1, name: 'Товары' } },
    date: item.date,
    availability: item.hidden ? 1 : item.stockAmount === 0 ? 2 : 0,
    sku: item.sku ?? undefined,
    stock_amount: item.stockAmount ?? undefined,
    thumb_photo: item.mainPhotoId ? `${ctx.origin}/photos/${item.mainPhotoId}.png` : undefined,
  };
  if (!extended) return base;
  const photoIds = [item.mainPhotoId, ...item.photoIds].filter((id): id is number => id !== null);
  return {
    ...base,
    albums_ids: [...item.albumIds],
    photos: photoIds.map((id) => photoObject(ctx, id)),
    can_comment: 1,
    can_repost: 1,
    likes: { user_likes: 0, count: 0 },
    views_count: 0,
  };
}

function checkPhotos(ctx: CallContext, groupId: number, ids: number[]): void {
  for (const id of ids) {
    const photo = ctx.state.photos.get(id);
    if (!photo || photo.groupId !== groupId) throw paramError(`photo ${id} not found`);
  }
}

/** Applies the fields present in `params` (add and edit share them). */
function applyFields(ctx: CallContext, item: SimItem, params: RawParams, groupId: number): void {
  if (params.name !== undefined) item.title = params.name;
  if (params.description !== undefined) item.description = params.description;
  if (params.category_id !== undefined) item.categoryId = int(params, 'category_id');
  if (params.price !== undefined) item.price = Number(params.price);
  if (params.old_price !== undefined) item.oldPrice = Number(params.old_price);
  if (params.sku !== undefined) item.sku = params.sku;
  if (params.stock_amount !== undefined) item.stockAmount = int(params, 'stock_amount');
  if (params.deleted !== undefined) item.hidden = bool(params, 'deleted');
  if (params.main_photo_id !== undefined) {
    const id = int(params, 'main_photo_id');
    checkPhotos(ctx, groupId, [id]);
    item.mainPhotoId = id;
  }
  if (params.photo_ids !== undefined) {
    const ids = intList(params, 'photo_ids');
    checkPhotos(ctx, groupId, ids);
    item.photoIds = ids;
  }
}

/** A live (not market.delete'd) item of this owner, or error 1403. */
export function findItem(ctx: CallContext, ownerId: number, itemId: number): SimItem {
  const item = ctx.state.items.get(itemId);
  if (!item || item.ownerId !== ownerId || item.deletedAt !== null) throw vkError(1403);
  return item;
}

export const itemMethods: Record<string, Handler> = {
  'market.get': (ctx, params) => {
    const community = readableCommunity(ctx, params.owner_id);
    const albumId = int(params, 'album_id');
    const offset = int(params, 'offset');
    const count = int(params, 'count', 100);
    const all = [...ctx.state.items.ofOwner(-community.id)]
      .filter((i) => i.deletedAt === null)
      .filter((i) => albumId === 0 || i.albumIds.includes(albumId))
      .sort((a, b) => b.id - a.id);
    const extended = bool(params, 'extended');
    return {
      count: all.length,
      items: all.slice(offset, offset + count).map((i) => itemObject(ctx, i, extended)),
    };
  },
  'market.add': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    let live = 0;
    for (const i of ctx.state.items.ofOwner(-community.id)) if (i.deletedAt === null) live++;
    if (live >= ctx.settings.maxItemsPerCommunity) throw vkError(1405);
    const item: SimItem = {
      id: ctx.state.nextId.item,
      ownerId: -community.id,
      title: '',
      description: '',
      categoryId: 0,
      price: 0,
      oldPrice: null,
      mainPhotoId: null,
      photoIds: [],
      sku: null,
      stockAmount: null,
      hidden: false,
      deletedAt: null,
      albumIds: [],
      date: unixNow(ctx),
    };
    applyFields(ctx, item, params, community.id);
    ctx.state.nextId.item += 1;
    ctx.state.items.set(item.id, item);
    return { market_item_id: item.id };
  },
  'market.edit': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const item = findItem(ctx, -community.id, int(params, 'item_id'));
    const draft = { ...item };
    applyFields(ctx, draft, params, community.id);
    Object.assign(item, draft);
    return 1;
  },
  'market.delete': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    findItem(ctx, -community.id, int(params, 'item_id')).deletedAt = ctx.now();
    return 1;
  },
  'market.restore': (ctx, params) => {
    const community = managedCommunity(ctx, params.owner_id);
    const item = ctx.state.items.get(int(params, 'item_id'));
    if (!item || item.ownerId !== -community.id) throw vkError(1403);
    if (item.deletedAt === null) throw vkError(1518);
    const window = ctx.settings.restoreWindowMs;
    if (window !== null && ctx.now() - item.deletedAt > window) throw vkError(1400);
    item.deletedAt = null;
    return 1;
  },
};
