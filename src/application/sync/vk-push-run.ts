import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import { mirrorDecider, type MirrorCommand } from '../../domain/mirror/decide.js';
import type { DesiredVkItem, PushedVkItem } from '../../domain/mirror/desired-item.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import type { MembershipPlan } from '../../domain/mirror/memberships.js';
import { pushedOf, type DesiredEntry, type MirrorPlan } from '../../domain/mirror/plan.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import { WrongExpectedVersionError } from '../ports/event-store.js';
import type { PushDeps } from './vk-push.js';
import type { VkCall, VkCallError, VkCallResult, VkParams } from './ports.js';

export interface PushReport {
  /** `superseded`: another push wrote to the mirror stream meanwhile; this one stopped */
  outcome: 'done' | 'nothing_to_do' | 'inactive' | 'paused' | 'auth_failed' | 'superseded';
  created: number;
  adopted: number;
  updated: number;
  hidden: number;
  restored: number;
  deleted: number;
  albumsCreated: number;
  failed: number;
  /** failures worth another run (6/9/10 after the client's own retries) */
  retryableFailures: number;
  /** progress that needs a follow-up run at once (adopted items, items found gone) */
  needsAnotherRun: boolean;
  /** ISO time of the earliest scheduled retry of a failing product or album, if any */
  nextRetryAt: string | null;
}

const TRANSIENT = new Set([6, 9, 10]);
const ALBUM_NOT_FOUND = 1402;
const ITEM_NOT_FOUND = 1403;
const ALREADY_IN_ALBUM = 1404;
const CAPTCHA = 14;
const AUTH = 5;
const ITEMS_PER_ALBUM_CALL = 100;

export class StopPush extends Error {
  constructor(readonly outcome: 'paused' | 'auth_failed' | 'superseded') {
    super(outcome);
  }
}

type Result = VkCallResult;
/** Commands for a call's result; null: an error the step does not handle (a failure). */
type Settle<T> = (item: T, result: Result) => MirrorCommand[] | null;
type Subject = { productId?: string; groupKey?: string };

const rubles = (kopecks: number) => (kopecks / 100).toFixed(2);
const errorCode = (result: Result) => (result.ok ? null : result.error.code);

function itemParams(item: PushedVkItem, photoId: number | null): VkParams {
  return {
    name: item.name,
    description: item.description,
    category_id: item.categoryId,
    price: rubles(item.priceKopecks),
    sku: item.sku,
    stock_amount: item.stockAmount,
    ...(photoId !== null ? { main_photo_id: photoId } : {}),
  };
}

/**
 * `market.edit` parameters for the given fields only; album moves are separate calls. An
 * item is only ever switched off by hiding, so sending its availability switches it on.
 */
function editParams(item: DesiredVkItem, fields: ReadonlySet<string>): VkParams {
  const all = itemParams(pushedOf(item), null);
  const byField: Record<string, keyof typeof all> = {
    name: 'name',
    description: 'description',
    categoryId: 'category_id',
    priceKopecks: 'price',
    sku: 'sku',
    stockAmount: 'stock_amount',
  };
  const params: VkParams = {};
  for (const [field, param] of Object.entries(byField)) {
    const value = all[param];
    if (fields.has(field) && value !== undefined) params[param] = value;
  }
  if (fields.has('available')) {
    params.stock_amount = item.stockAmount;
    params.deleted = 0;
  }
  return params;
}

/** The calls of one push, recorded chunk by chunk on the mirror state it holds. */
export class PushRun {
  private readonly ownerId: number;
  private readonly chunkSize: number;
  private mirror: { state: MirrorState; revision: number };

  constructor(
    private readonly deps: PushDeps,
    private readonly userId: string,
    private readonly correlationId: string,
    private readonly report: PushReport,
    mirror: { state: MirrorState; revision: number },
  ) {
    this.ownerId = -deps.groupId;
    this.chunkSize = deps.chunkSize ?? 250;
    this.mirror = mirror;
  }

  get state(): MirrorState {
    return this.mirror.state;
  }

  /** Appends expecting the revision this push last saw or wrote; never re-reads the stream. */
  private async record(commands: MirrorCommand[]): Promise<void> {
    if (commands.length === 0) return;
    try {
      const result = await this.deps.commands.handleManyAt(
        mirrorDecider,
        mirrorStream(this.userId),
        this.mirror,
        commands,
        {
          actor: 'system',
          correlationId: this.correlationId,
          // 10,000 create requests at once: in parts (a recorded prefix is settled next run).
          maxEventsPerAppend: 1000,
        },
      );
      this.mirror = { state: result.state, revision: result.revision };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new StopPush('superseded');
      throw error;
    }
  }

  /** Sends calls in chunks; `settle` turns each chunk's results into commands to record. */
  private async send<T>(
    items: T[],
    call: (item: T) => VkCall,
    settle: Settle<T>,
    subjects: (item: T) => Subject[],
  ): Promise<void> {
    let recording: Promise<void> = Promise.resolve();
    for (let i = 0; i < items.length; i += this.chunkSize) {
      const chunk = items.slice(i, i + this.chunkSize);
      // The previous chunk's outcomes are recorded, and nobody else wrote since, before VK is
      // asked for more: a push whose lock was lost stops within one chunk (a record takes
      // milliseconds, a chunk of calls seconds at VK's pace, so little waits on it).
      await recording;
      await this.ensureCurrent();
      const results = await this.deps.gateway.run(chunk.map(call));
      const commands: MirrorCommand[] = [];
      let stop: StopPush | null = null;
      results.forEach((result, k) => {
        const item = chunk[k] as T;
        if (!result.ok && (result.error.code === CAPTCHA || result.error.code === AUTH)) {
          stop ??= this.stopFor(result.error, commands);
          return;
        }
        const settled = settle(item, result);
        if (settled) commands.push(...settled);
        else if (!result.ok)
          commands.push(...this.failure(result.error, call(item).method, subjects(item)));
      });
      recording = this.record(commands).then(() => this.deps.onProgress?.(this.report));
      // Marked as handled at once; it is awaited (and so rethrown) before anything else is sent.
      // A rejection left unobserved while other work is awaited would end the process.
      recording.catch(() => undefined);
      if (stop) {
        await recording;
        if ((stop as StopPush).outcome === 'auth_failed') await this.markVkUnhealthy();
        throw stop;
      }
    }
    await recording;
  }

  /** Stops the push when another writer appended to the mirror stream since our last record. */
  private async ensureCurrent(): Promise<void> {
    const newer = await this.deps.store.readStream(mirrorStream(this.userId), {
      fromRevision: this.mirror.revision + 1,
      maxCount: 1,
    });
    if (newer.length > 0) throw new StopPush('superseded');
  }

  private stopFor(error: VkCallError, commands: MirrorCommand[]): StopPush {
    if (error.code === CAPTCHA) {
      commands.push({
        type: 'PauseVkPush',
        userId: this.userId,
        captchaSid: error.captchaSid ?? '',
        captchaImg: error.captchaImg ?? '',
      });
      return new StopPush('paused');
    }
    this.report.failed++;
    commands.push({
      type: 'RecordVkCommandFailed',
      userId: this.userId,
      method: 'execute',
      errorCode: error.code,
      message: error.message,
      retryable: false,
    });
    return new StopPush('auth_failed');
  }

  private failure(error: VkCallError, method: string, subjects: Subject[]): MirrorCommand[] {
    const retryable = TRANSIENT.has(error.code);
    this.report.failed++;
    if (retryable) this.report.retryableFailures++;
    const base = { type: 'RecordVkCommandFailed' as const, userId: this.userId, method };
    const fact = { errorCode: error.code, message: error.message, retryable };
    if (subjects.length === 0) return [{ ...base, ...fact }];
    return subjects.map((s) => ({ ...base, ...s, ...fact }));
  }

  private async markVkUnhealthy(): Promise<void> {
    await this.deps.commands.handle(
      vkAccount,
      vkAccountStream(this.userId),
      {
        type: 'RecordVkHealth',
        userId: this.userId,
        healthy: false,
        reason: 'VK отклонил токен (ошибка 5)',
      },
      { actor: 'system', correlationId: this.correlationId },
    );
  }

  /** The default photo and the albums, which creates and album moves need first. */
  async prepare(plan: MirrorPlan): Promise<void> {
    const userId = this.userId;
    if (plan.needsDefaultPhoto) {
      const photo = await this.deps.defaultPhoto();
      const photoId = await this.deps.gateway.uploadProductPhoto(photo.file, photo.filename);
      await this.record([{ type: 'RecordDefaultPhotoUploaded', userId, photoId }]);
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
    const photoId = this.state.defaultPhotoId;
    await this.send(
      toCreate,
      (c) => ({
        method: 'market.add',
        params: { owner_id: this.ownerId, ...itemParams(pushedOf(c.item), photoId) },
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
            pushed: pushedOf(c.item),
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

    const edits = plan.edits.map((e) => ({
      ...e,
      fields: new Set<string>([...e.changes, ...e.reasserted].map((c) => c.field)),
    }));
    const withParams = edits.filter((e) => Object.keys(editParams(e.item, e.fields)).length > 0);
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
        params: { owner_id: this.ownerId, item_id: e.itemId, ...editParams(e.item, e.fields) },
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
