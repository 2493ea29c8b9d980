import type { MirrorCommand } from '../../domain/mirror/decide.js';
import type { DesiredVkItem } from '../../domain/mirror/desired-item.js';
import type { MembershipPlan } from '../../domain/mirror/memberships.js';
import { pushedOf, type DesiredEntry, type MirrorPlan } from '../../domain/mirror/plan.js';
import {
  ALBUM_NOT_FOUND,
  ALREADY_IN_ALBUM,
  editParams,
  errorCode,
  ITEM_NOT_FOUND,
  ITEMS_PER_ALBUM_CALL,
  itemParams,
  PushRecorder,
} from './vk-push-recorder.js';
import { photoParams, uploadPhotos, withUploadedPhotos } from './vk-push-photos.js';

export { StopPush, type PushReport } from './vk-push-recorder.js';

/** The steps of one push: albums, creates and adoptions, edits and the rest, memberships. */
export class PushRun extends PushRecorder {
  /**
   * Everything changed in Evotor before `startedAt` of these products (all when absent) is in
   * VK now, but for the failing ones: recorded for the lag /sync shows.
   */
  async completed(
    startedAt: Date,
    productIds: ReadonlySet<string> | undefined,
    /** the catalogs' revisions a push of changes or a full push planned from */
    catalogRevisions?: Record<string, number>,
  ): Promise<void> {
    const failed: string[] = [];
    for (const [productId, item] of this.state.items) {
      if (item.failure && (!productIds || productIds.has(productId))) failed.push(productId);
    }
    await this.record([
      {
        type: 'RecordVkPushCompleted',
        userId: this.userId,
        startedAt: startedAt.toISOString(),
        productIds: productIds ? [...productIds] : null,
        failed,
        ...(catalogRevisions ? { catalogRevisions } : {}),
      },
    ]);
  }

  /** The default photo and the albums, which creates and album moves need first. */
  async prepare(plan: MirrorPlan): Promise<void> {
    const userId = this.userId;
    await this.record(
      plan.settledFailures.map((f): MirrorCommand => ({ type: 'ClearVkFailure', userId, ...f })),
    );
    if (plan.needsDefaultPhoto) {
      const photo = await this.deps.defaultPhoto();
      const photoId = await this.deps.gateway.uploadProductPhoto(photo.file, photo.filename);
      await this.record([{ type: 'RecordDefaultPhotoUploaded', userId, photoId }]);
    }
    if (plan.photosToUpload.length > 0) {
      this.report.photosUploaded += await uploadPhotos(
        {
          userId,
          groupId: this.deps.groupId,
          gateway: this.deps.gateway,
          images: this.deps.images,
          send: (items, call, settle, subjects) => this.send(items, call, settle, subjects),
          record: (commands) => this.record(commands),
        },
        plan.photosToUpload,
      );
    }
    // The requests first: a crash after market.addAlbum is then settled by adopting by title.
    await this.record(
      plan.albumsToCreate.flatMap((a): MirrorCommand[] => [
        ...(a.lostAlbumId !== undefined
          ? [
              {
                type: 'RecordVkAlbumLost' as const,
                userId,
                groupKey: a.groupKey,
                albumId: a.lostAlbumId,
              },
            ]
          : []),
        {
          type: 'RequestVkAlbumCreate',
          userId,
          groupKey: a.groupKey,
          title: a.title,
          requestId: a.requestId,
        },
      ]),
    );
    const toCreate = [...plan.albumsToCreate];
    if (plan.albumsToAdopt.length > 0) {
      const taken = new Set<number>();
      for (const album of this.state.albums.values())
        if (album.albumId !== null) taken.add(album.albumId);
      const byTitle = new Map<string, number>();
      for (const album of await this.deps.gateway.fetchAlbums()) {
        if (!taken.has(album.id) && !byTitle.has(album.title)) byTitle.set(album.title, album.id);
      }
      const adopted: MirrorCommand[] = [];
      for (const a of plan.albumsToAdopt) {
        const albumId = byTitle.get(a.title);
        if (albumId === undefined) {
          if (a.wanted) toCreate.push(a);
          else {
            const { groupKey, requestId } = a;
            adopted.push({ type: 'AbandonVkAlbumCreate', userId, groupKey, requestId });
          }
          continue;
        }
        byTitle.delete(a.title);
        adopted.push({
          type: 'RecordVkAlbumAdopted',
          userId,
          groupKey: a.groupKey,
          albumId,
          title: a.title,
          requestId: a.requestId,
        });
      }
      await this.record(adopted);
    }
    await this.send(
      toCreate,
      (a) => ({ method: 'market.addAlbum', params: { owner_id: this.ownerId, title: a.title } }),
      (a, result) => {
        if (!result.ok) return null;
        const albumId = (result.value as { market_album_id: number }).market_album_id;
        this.report.albumsCreated++;
        return [
          {
            type: 'RecordVkAlbumCreated',
            userId,
            groupKey: a.groupKey,
            albumId,
            title: a.title,
            requestId: a.requestId,
          },
        ];
      },
      (a) => [{ groupKey: a.groupKey }],
    );
    await this.send(
      plan.albumsToRename,
      (a) => ({
        method: 'market.editAlbum',
        params: { owner_id: this.ownerId, album_id: a.albumId, title: a.title },
      }),
      (a, result) => {
        if (errorCode(result) === ALBUM_NOT_FOUND) return this.albumLost(a.groupKey, a.albumId);
        if (!result.ok) return null;
        const { groupKey, albumId, title, seenTitle } = a;
        return [
          {
            type: 'RecordVkAlbumRenamed',
            userId,
            groupKey,
            albumId,
            title,
            ...(seenTitle !== undefined ? { seenTitle } : {}),
          },
        ];
      },
      (a) => [{ groupKey: a.groupKey }],
    );
  }

  /** The item with only the photos VK has got (see withUploadedPhotos). */
  private sendable(item: DesiredVkItem): DesiredVkItem {
    return withUploadedPhotos(item, this.state.photos);
  }

  private albumLost(groupKey: string, albumId: number): MirrorCommand[] {
    this.report.needsAnotherRun = true;
    return [{ type: 'RecordVkAlbumLost', userId: this.userId, groupKey, albumId }];
  }

  private gone(productId: string, itemId: number): MirrorCommand[] {
    this.report.needsAnotherRun = true;
    return [{ type: 'RecordVkItemDeleted', userId: this.userId, productId, itemId }];
  }

  /**
   * Open requests and re-creations are first looked up by sku (an earlier `market.add` may have
   * reached VK), then what VK does not have is added.
   */
  async adoptOrCreate(plan: MirrorPlan, desired: ReadonlyMap<string, DesiredEntry>): Promise<void> {
    const userId = this.userId;
    await this.record(
      [...plan.creates, ...plan.recreates].map((c): MirrorCommand => ({
        type: 'RequestVkItemCreate',
        userId,
        productId: c.productId,
        sku: c.item.sku,
        requestId: c.requestId,
        ...('previousItemId' in c ? { replacesItemId: c.previousItemId as number } : {}),
      })),
    );
    const toCreate: Array<{ productId: string; requestId: string; item: DesiredVkItem }> = [
      ...plan.creates,
    ];
    const lookups = [
      ...plan.adopts,
      ...plan.recreates.map((r) => ({
        productId: r.productId,
        sku: r.item.sku,
        requestId: r.requestId,
        wanted: true,
      })),
    ];
    if (lookups.length > 0) {
      const bySku = new Map<string, number>();
      for (const item of await this.deps.gateway.fetchItems())
        if (item.sku) bySku.set(item.sku, item.id);
      const adopted: MirrorCommand[] = [];
      for (const adopt of lookups) {
        const itemId = bySku.get(adopt.sku);
        if (itemId !== undefined) {
          const { productId, requestId } = adopt;
          adopted.push({ type: 'RecordVkItemAdopted', userId, productId, requestId, itemId });
          this.report.adopted++;
        } else {
          // VK has no such item: the request never reached it (this push is the only sender).
          // Create it under the same request, or close the request if nothing is wanted now.
          const { productId, requestId } = adopt;
          const item = desired.get(productId);
          if (item && item !== 'removed') toCreate.push({ productId, requestId, item });
          else adopted.push({ type: 'AbandonVkItemCreate', userId, productId, requestId });
        }
      }
      await this.record(adopted);
      this.report.needsAnotherRun ||= adopted.length > 0; // adopted items get their fields next run
    }
    const sendable = (c: (typeof toCreate)[number]) => pushedOf(this.sendable(c.item));
    await this.send(
      toCreate,
      (c) => ({
        method: 'market.add',
        params: {
          owner_id: this.ownerId,
          ...itemParams(sendable(c), photoParams(sendable(c), this.state)),
        },
      }),
      (c, result) => {
        if (!result.ok) return null;
        const itemId = (result.value as { market_item_id: number }).market_item_id;
        this.report.created++;
        const { productId, requestId } = c;
        return [
          {
            type: 'RecordVkItemCreated',
            userId,
            productId,
            requestId,
            itemId,
            pushed: sendable(c),
          },
        ];
      },
      (c) => [{ productId: c.productId }],
    );
  }

  /** Edits of changed and hand-edited fields, restores, hides and deletes of existing items. */
  async changeExisting(plan: MirrorPlan): Promise<void> {
    const userId = this.userId;
    const subject = (op: { productId: string }) => [{ productId: op.productId }];
    await this.send(
      plan.restores,
      (op) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: op.itemId, deleted: 0 },
      }),
      (op, result) => {
        if (errorCode(result) === ITEM_NOT_FOUND) return this.gone(op.productId, op.itemId);
        if (!result.ok) return null;
        this.report.restored++;
        return [
          { type: 'RecordVkItemRestored', userId, productId: op.productId, itemId: op.itemId },
        ];
      },
      subject,
    );

    const edits = plan.edits.map((e) => {
      const last = this.state.items.get(e.productId)?.lastPushed?.photos ?? [];
      const item = withUploadedPhotos(e.item, this.state.photos, last);
      const fields = new Set<string>([...e.changes, ...e.reasserted].map((c) => c.field));
      // The new photo did not reach VK: the item keeps the one it shows.
      if (item !== e.item) fields.delete('photos');
      return { ...e, item, fields };
    });
    const params = (e: (typeof edits)[number]) =>
      editParams(e.item, e.fields, photoParams(pushedOf(e.item), this.state));
    const withParams = edits.filter((e) => Object.keys(params(e)).length > 0);
    const updated = (e: (typeof edits)[number]): MirrorCommand => ({
      type: 'RecordVkItemUpdated',
      userId,
      productId: e.productId,
      itemId: e.itemId,
      pushed: pushedOf(e.item),
      ...(e.reasserted.length > 0 ? { reasserted: e.reasserted } : {}),
    });
    await this.send(
      withParams,
      (e) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: e.itemId, ...params(e) },
      }),
      (e, result) => {
        if (errorCode(result) === ITEM_NOT_FOUND) return this.gone(e.productId, e.itemId);
        if (!result.ok) return null;
        this.report.updated++;
        return [updated(e)];
      },
      subject,
    );
    // Edits that change only the album (a membership call) or the category have no market.edit.
    const albumOnly = edits.filter((e) => !withParams.includes(e));
    await this.record(albumOnly.map(updated));
    this.report.updated += albumOnly.length;

    await this.send(
      plan.hides,
      (op) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: op.itemId, deleted: 1 },
      }),
      (op, result) => {
        if (errorCode(result) === ITEM_NOT_FOUND)
          return [
            { type: 'RecordVkItemDeleted', userId, productId: op.productId, itemId: op.itemId },
          ];
        if (!result.ok) return null;
        this.report.hidden++;
        const { productId, itemId, reasserted } = op;
        return [
          {
            type: 'RecordVkItemHidden',
            userId,
            productId,
            itemId,
            ...(reasserted ? { reasserted } : {}),
          },
        ];
      },
      subject,
    );
    await this.send(
      plan.deletes,
      (op) => ({ method: 'market.delete', params: { owner_id: this.ownerId, item_id: op.itemId } }),
      (op, result) => {
        if (!result.ok && errorCode(result) !== ITEM_NOT_FOUND) return null;
        this.report.deleted++;
        return [
          { type: 'RecordVkItemDeleted', userId, productId: op.productId, itemId: op.itemId },
        ];
      },
      subject,
    );
  }

  /**
   * Album membership, recorded only after VK confirmed it. A batch refused because one item is
   * already there (1404: a crash after an earlier addToAlbum) or gone (1403) is sent again item
   * by item, so the others are not held back.
   */
  async memberships(plan: MembershipPlan): Promise<void> {
    const userId = this.userId;
    await this.record(
      plan.confirms.map((c) => ({ type: 'RecordVkItemAddedToAlbum' as const, userId, ...c })),
    );
    type Op = MembershipPlan['adds'][number];
    const batches = (ops: Op[], size: number) => {
      const byAlbum = new Map<number, Op[]>();
      for (const op of ops) byAlbum.set(op.albumId, [...(byAlbum.get(op.albumId) ?? []), op]);
      const out: Array<{ albumId: number; ops: Op[] }> = [];
      for (const [albumId, list] of byAlbum)
        for (let i = 0; i < list.length; i += size)
          out.push({ albumId, ops: list.slice(i, i + size) });
      return out;
    };
    const retryOneByOne: Op[] = [];
    const added = (op: Op): MirrorCommand => ({
      type: 'RecordVkItemAddedToAlbum',
      userId,
      productId: op.productId,
      itemId: op.itemId,
      albumId: op.albumId,
      ...(op.reasserted ? { reasserted: true } : {}),
    });
    const addBatches = async (list: Array<{ albumId: number; ops: Op[] }>) =>
      this.send(
        list,
        (b) => ({
          method: 'market.addToAlbum',
          params: {
            owner_id: this.ownerId,
            item_ids: b.ops.map((o) => o.itemId),
            album_ids: [b.albumId],
          },
        }),
        (b, result) => {
          if (result.ok) return b.ops.map(added);
          const code = result.error.code;
          if (code === ALBUM_NOT_FOUND) {
            const groupKey = [...this.state.albums].find(([, a]) => a.albumId === b.albumId)?.[0];
            return groupKey ? this.albumLost(groupKey, b.albumId) : [];
          }
          if (b.ops.length > 1 && (code === ALREADY_IN_ALBUM || code === ITEM_NOT_FOUND)) {
            retryOneByOne.push(...b.ops);
            return [];
          }
          const [op] = b.ops;
          if (op && code === ALREADY_IN_ALBUM) return [added(op)];
          if (op && code === ITEM_NOT_FOUND) return this.gone(op.productId, op.itemId);
          return null;
        },
        (b) => b.ops.map((o) => ({ productId: o.productId })),
      );
    await addBatches(batches(plan.adds, ITEMS_PER_ALBUM_CALL));
    if (retryOneByOne.length > 0) await addBatches(batches(retryOneByOne, 1));

    await this.send(
      plan.removes,
      (r) => ({
        method: 'market.removeFromAlbum',
        params: { owner_id: this.ownerId, item_id: r.itemId, album_ids: [r.albumId] },
      }),
      (r, result) => {
        const code = errorCode(result);
        if (code === ITEM_NOT_FOUND) return this.gone(r.productId, r.itemId);
        if (!result.ok && code !== ALBUM_NOT_FOUND) return null;
        return [{ type: 'RecordVkItemRemovedFromAlbum', userId, ...r }];
      },
      (r) => [{ productId: r.productId }],
    );
  }
}
