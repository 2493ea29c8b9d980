import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import { mirrorDecider, type MirrorCommand } from '../../domain/mirror/decide.js';
import type {
  DesiredVkItem,
  MirrorSettings,
  PushedVkItem,
} from '../../domain/mirror/desired-item.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import {
  isEmptyPlan,
  planMirror,
  type DesiredEntry,
  type MirrorPlan,
} from '../../domain/mirror/plan.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import { taskRuns } from '../../domain/sync-config/state.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore } from '../ports/event-store.js';
import { loadDesiredItems, loadObservedVk, loadSyncConfig } from './desired-state.js';
import type { VkCall, VkCallError, VkMarketGateway, VkParams } from './ports.js';
import { loadState } from '../commands/load-state.js';

export interface PushDeps {
  store: EventStore;
  commands: CommandHandler;
  gateway: VkMarketGateway;
  /** the community the token administers; market methods take minus its id */
  groupId: number;
  settings: MirrorSettings;
  defaultPhoto: () => Promise<{ file: Buffer; filename: string }>;
  /** calls per chunk whose outcomes are recorded together (progress and crash granularity) */
  chunkSize?: number;
  onProgress?: (report: PushReport) => void;
}

export interface PushReport {
  outcome: 'done' | 'nothing_to_do' | 'inactive' | 'paused' | 'auth_failed';
  created: number;
  adopted: number;
  updated: number;
  hidden: number;
  restored: number;
  deleted: number;
  albumsCreated: number;
  failed: number;
  /** failures worth another run (6/9/10 after the client's own retries, network errors) */
  retryableFailures: number;
  /** items found gone on the VK side during this run: another run recreates them */
  needsAnotherRun: boolean;
}

const TRANSIENT = new Set([6, 9, 10]);
const ITEM_NOT_FOUND = 1403;
const CAPTCHA = 14;
const AUTH = 5;

class StopPush extends Error {
  constructor(readonly outcome: 'paused' | 'auth_failed') {
    super(outcome);
  }
}

const rubles = (kopecks: number) => (kopecks / 100).toFixed(2);

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

/** `market.edit` parameters for the changed fields only; album moves are separate calls. */
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
  return params;
}

function pushedOf(item: DesiredVkItem): PushedVkItem {
  const { albumTitle: _title, ...pushed } = item;
  return pushed;
}

/**
 * One push for one user: compares the desired items with what the mirror stream says was last
 * pushed and sends only the difference, batched through `execute`. Every outcome is appended to
 * `vk-mirror-{userId}` chunk by chunk. Before `market.add` the request is recorded, so a crash
 * between the call and its outcome is settled next time by adopting the item by its sku.
 */
export async function pushToVk(
  deps: PushDeps,
  userId: string,
  correlationId: string,
): Promise<PushReport> {
  const report: PushReport = {
    outcome: 'done',
    created: 0,
    adopted: 0,
    updated: 0,
    hidden: 0,
    restored: 0,
    deleted: 0,
    albumsCreated: 0,
    failed: 0,
    retryableFailures: 0,
    needsAnotherRun: false,
  };
  const config = await loadSyncConfig(deps.store, userId);
  if (!taskRuns(config, 'mirror_to_vk')) return { ...report, outcome: 'inactive' };

  const stream = mirrorStream(userId);
  let mirror = await loadState(deps.store, mirrorDecider, stream);
  if (mirror.paused) return { ...report, outcome: 'paused' };

  const desired = await loadDesiredItems(
    deps.store,
    userId,
    config,
    deps.settings,
    mirror.items.keys(),
  );
  const plan = planMirror(desired, mirror, await loadObservedVk(deps.store, userId));
  if (isEmptyPlan(plan)) return { ...report, outcome: 'nothing_to_do' };

  const run = new PushRun(deps, userId, correlationId, report);
  try {
    mirror = await run.prepare(plan, mirror);
    await run.adoptOrCreate(plan, mirror, desired);
    await run.changeExisting(plan, mirror);
  } catch (error) {
    if (!(error instanceof StopPush)) throw error;
    report.outcome = error.outcome;
  }
  return report;
}

class PushRun {
  private readonly ownerId: number;
  private readonly chunkSize: number;

  constructor(
    private readonly deps: PushDeps,
    private readonly userId: string,
    private readonly correlationId: string,
    private readonly report: PushReport,
  ) {
    this.ownerId = -deps.groupId;
    this.chunkSize = deps.chunkSize ?? 250;
  }

  private record(commands: MirrorCommand[]) {
    if (commands.length === 0) return Promise.resolve();
    return this.deps.commands
      .handleMany(mirrorDecider, mirrorStream(this.userId), commands, {
        actor: 'system',
        correlationId: this.correlationId,
        // 10,000 create requests at once: in parts (a recorded prefix is settled next run).
        maxEventsPerAppend: 1000,
      })
      .then(() => undefined);
  }

  /** Sends calls in chunks; `settle` turns each chunk's results into commands to record. */
  private async send<T>(
    items: T[],
    call: (item: T) => VkCall,
    settle: (
      item: T,
      result: { ok: true; value: unknown } | { ok: false; error: VkCallError },
    ) => MirrorCommand[],
  ): Promise<void> {
    // Recording a chunk's outcomes overlaps with sending the next chunk, so VK's few requests
    // per second are never left unused while the event store writes.
    let recording: Promise<void> = Promise.resolve();
    for (let i = 0; i < items.length; i += this.chunkSize) {
      const chunk = items.slice(i, i + this.chunkSize);
      const results = await this.deps.gateway.run(chunk.map(call));
      const commands: MirrorCommand[] = [];
      let stop: StopPush | null = null;
      results.forEach((result, k) => {
        const item = chunk[k] as T;
        if (!result.ok) {
          const failure = this.failure(result.error, call(item).method);
          commands.push(...failure.commands);
          if (failure.stop) {
            stop ??= failure.stop;
            return;
          }
        }
        commands.push(...settle(item, result));
      });
      await recording;
      recording = this.record(commands).then(() => this.deps.onProgress?.(this.report));
      if (stop) {
        await recording;
        if ((stop as StopPush).outcome === 'auth_failed') await this.markVkUnhealthy();
        throw stop;
      }
    }
    await recording;
  }

  private failure(
    error: VkCallError,
    method: string,
  ): { commands: MirrorCommand[]; stop: StopPush | null } {
    const userId = this.userId;
    if (error.code === CAPTCHA) {
      return {
        commands: [
          {
            type: 'PauseVkPush',
            userId,
            captchaSid: error.captchaSid ?? '',
            captchaImg: error.captchaImg ?? '',
          },
        ],
        stop: new StopPush('paused'),
      };
    }
    const retryable = TRANSIENT.has(error.code);
    this.report.failed++;
    if (retryable) this.report.retryableFailures++;
    return {
      commands: [
        {
          type: 'RecordVkCommandFailed',
          userId,
          method,
          errorCode: error.code,
          message: error.message,
          retryable,
        },
      ],
      stop: error.code === AUTH ? new StopPush('auth_failed') : null,
    };
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
  async prepare(plan: MirrorPlan, mirror: MirrorState): Promise<MirrorState> {
    const userId = this.userId;
    let photoId = mirror.defaultPhotoId;
    if (plan.needsDefaultPhoto) {
      const photo = await this.deps.defaultPhoto();
      photoId = await this.deps.gateway.uploadProductPhoto(photo.file, photo.filename);
      await this.record([{ type: 'RecordDefaultPhotoUploaded', userId, photoId }]);
    }
    const albums = new Map([...mirror.albums].map(([key, a]) => [key, { ...a }]));
    await this.send(
      plan.albumsToCreate,
      (a) => ({ method: 'market.addAlbum', params: { owner_id: this.ownerId, title: a.title } }),
      (a, result) => {
        if (!result.ok) return [];
        const albumId = (result.value as { market_album_id: number }).market_album_id;
        albums.set(a.groupKey, { albumId, title: a.title });
        this.report.albumsCreated++;
        return [
          { type: 'RecordVkAlbumCreated', userId, groupKey: a.groupKey, albumId, title: a.title },
        ];
      },
    );
    await this.send(
      plan.albumsToRename,
      (a) => ({
        method: 'market.editAlbum',
        params: { owner_id: this.ownerId, album_id: a.albumId, title: a.title },
      }),
      (a, result) =>
        result.ok
          ? [
              {
                type: 'RecordVkAlbumRenamed',
                userId,
                groupKey: a.groupKey,
                albumId: a.albumId,
                title: a.title,
              },
            ]
          : [],
    );
    return { ...mirror, albums, defaultPhotoId: photoId };
  }

  /** Open requests are settled first (adopted by sku if VK has the item), then new items added. */
  async adoptOrCreate(
    plan: MirrorPlan,
    mirror: MirrorState,
    desired: ReadonlyMap<string, DesiredEntry>,
  ): Promise<void> {
    const userId = this.userId;
    const toCreate: Array<{ productId: string; requestId: string; item: DesiredVkItem }> = [];
    if (plan.adopts.length > 0) {
      const bySku = new Map<string, number>();
      for (const item of await this.deps.gateway.fetchItems())
        if (item.sku) bySku.set(item.sku, item.id);
      const adopted: MirrorCommand[] = [];
      for (const adopt of plan.adopts) {
        const itemId = bySku.get(adopt.sku);
        if (itemId !== undefined) {
          adopted.push({
            type: 'RecordVkItemAdopted',
            userId,
            productId: adopt.productId,
            requestId: adopt.requestId,
            itemId,
          });
          this.report.adopted++;
        } else {
          // VK has no such item: the request never reached it. Create it under the same request,
          // unless the product left the scope meanwhile (then the request stays open).
          const item = desired.get(adopt.productId);
          if (item && item !== 'removed')
            toCreate.push({ productId: adopt.productId, requestId: adopt.requestId, item });
        }
      }
      await this.record(adopted);
      this.report.needsAnotherRun ||= adopted.length > 0; // adopted items get their fields next run
    }
    const fresh = [...plan.creates, ...plan.recreates];
    await this.record(
      fresh.map((c) => ({
        type: 'RequestVkItemCreate',
        userId,
        productId: c.productId,
        sku: c.item.sku,
        requestId: c.requestId,
      })),
    );
    toCreate.push(...fresh);
    const created = new Map<string, number>();
    await this.send(
      toCreate,
      (c) => ({
        method: 'market.add',
        params: { owner_id: this.ownerId, ...itemParams(pushedOf(c.item), mirror.defaultPhotoId) },
      }),
      (c, result) => {
        if (!result.ok) return [];
        const itemId = (result.value as { market_item_id: number }).market_item_id;
        created.set(c.productId, itemId);
        this.report.created++;
        return [
          {
            type: 'RecordVkItemCreated',
            userId,
            productId: c.productId,
            requestId: c.requestId,
            itemId,
            pushed: pushedOf(c.item),
          },
        ];
      },
    );
    // Album membership: one addToAlbum per album for the items just created.
    const byAlbum = new Map<number, number[]>();
    for (const c of toCreate) {
      const albumId = c.item.albumKey ? mirror.albums.get(c.item.albumKey)?.albumId : undefined;
      const itemId = created.get(c.productId);
      if (albumId === undefined || itemId === undefined) continue;
      byAlbum.set(albumId, [...(byAlbum.get(albumId) ?? []), itemId]);
    }
    await this.addToAlbums(byAlbum);
  }

  private async addToAlbums(byAlbum: Map<number, number[]>): Promise<void> {
    const calls: Array<{ albumId: number; itemIds: number[] }> = [];
    for (const [albumId, itemIds] of byAlbum) {
      for (let i = 0; i < itemIds.length; i += 100)
        calls.push({ albumId, itemIds: itemIds.slice(i, i + 100) });
    }
    await this.send(
      calls,
      (c) => ({
        method: 'market.addToAlbum',
        params: { owner_id: this.ownerId, item_ids: c.itemIds, album_ids: [c.albumId] },
      }),
      () => [],
    );
  }

  /** Edits of changed fields, album moves, restores, hides and deletes of existing items. */
  async changeExisting(plan: MirrorPlan, mirror: MirrorState): Promise<void> {
    const userId = this.userId;
    const gone = (productId: string, itemId: number): MirrorCommand[] => {
      this.report.needsAnotherRun = true;
      return [{ type: 'RecordVkItemDeleted', userId, productId, itemId }];
    };
    const notFound = (result: { ok: boolean; error?: VkCallError }) =>
      !result.ok && result.error?.code === ITEM_NOT_FOUND;

    await this.send(
      plan.restores,
      (op) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: op.itemId, deleted: 0 },
      }),
      (op, result) => {
        if (notFound(result)) return gone(op.productId, op.itemId);
        if (!result.ok) return [];
        this.report.restored++;
        return [
          { type: 'RecordVkItemRestored', userId, productId: op.productId, itemId: op.itemId },
        ];
      },
    );

    const edits = plan.edits.map((e) => ({
      ...e,
      fields: new Set<string>(e.changes.map((c) => c.field)),
    }));
    const withParams = edits.filter((e) => Object.keys(editParams(e.item, e.fields)).length > 0);
    await this.send(
      withParams,
      (e) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: e.itemId, ...editParams(e.item, e.fields) },
      }),
      (e, result) => {
        if (notFound(result)) return gone(e.productId, e.itemId);
        if (!result.ok) return [];
        this.report.updated++;
        return [
          {
            type: 'RecordVkItemUpdated',
            userId,
            productId: e.productId,
            itemId: e.itemId,
            pushed: pushedOf(e.item),
          },
        ];
      },
    );
    // Edits that change only the album (or availability, carried by stock) have no market.edit.
    const albumOnly = edits.filter((e) => !withParams.includes(e));
    await this.record(
      albumOnly.map((e) => ({
        type: 'RecordVkItemUpdated' as const,
        userId,
        productId: e.productId,
        itemId: e.itemId,
        pushed: pushedOf(e.item),
      })),
    );
    this.report.updated += albumOnly.length;
    await this.moveAlbums(
      edits.filter((e) => e.fields.has('albumKey')),
      mirror,
    );

    await this.send(
      plan.hides,
      (op) => ({
        method: 'market.edit',
        params: { owner_id: this.ownerId, item_id: op.itemId, deleted: 1 },
      }),
      (op, result) => {
        if (notFound(result))
          return [
            { type: 'RecordVkItemDeleted', userId, productId: op.productId, itemId: op.itemId },
          ];
        if (!result.ok) return [];
        this.report.hidden++;
        return [{ type: 'RecordVkItemHidden', userId, productId: op.productId, itemId: op.itemId }];
      },
    );
    await this.send(
      plan.deletes,
      (op) => ({ method: 'market.delete', params: { owner_id: this.ownerId, item_id: op.itemId } }),
      (op, result) => {
        if (!result.ok && !notFound(result)) return [];
        this.report.deleted++;
        return [
          { type: 'RecordVkItemDeleted', userId, productId: op.productId, itemId: op.itemId },
        ];
      },
    );
  }

  private async moveAlbums(
    moves: Array<{
      itemId: number;
      productId: string;
      changes: Array<{ field: string; from: unknown }>;
      item: DesiredVkItem;
    }>,
    mirror: MirrorState,
  ): Promise<void> {
    const removals: Array<{ itemId: number; albumId: number }> = [];
    const additions = new Map<number, number[]>();
    for (const move of moves) {
      const from = move.changes.find((c) => c.field === 'albumKey')?.from;
      const oldAlbum = typeof from === 'string' ? mirror.albums.get(from)?.albumId : undefined;
      const newAlbum = move.item.albumKey
        ? mirror.albums.get(move.item.albumKey)?.albumId
        : undefined;
      if (oldAlbum !== undefined) removals.push({ itemId: move.itemId, albumId: oldAlbum });
      if (newAlbum !== undefined)
        additions.set(newAlbum, [...(additions.get(newAlbum) ?? []), move.itemId]);
    }
    await this.send(
      removals,
      (r) => ({
        method: 'market.removeFromAlbum',
        params: { owner_id: this.ownerId, item_id: r.itemId, album_ids: [r.albumId] },
      }),
      () => [],
    );
    await this.addToAlbums(additions);
  }
}
