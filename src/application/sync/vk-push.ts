import type { MirrorSettings } from '../../domain/mirror/desired-item.js';
import { planMemberships } from '../../domain/mirror/memberships.js';
import {
  isEmptyPlan,
  planCounts,
  planMirror,
  type DesiredEntry,
  type MirrorPlan,
  type PlanContext,
} from '../../domain/mirror/plan.js';
import type { SyncConfigState } from '../../domain/sync-config/state.js';
import { isDue, type MirrorState } from '../../domain/mirror/state.js';
import { taskRuns } from '../../domain/sync-config/state.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore } from '../ports/event-store.js';
import {
  desiredItems,
  loadCatalogs,
  loadMirror,
  loadObservedVk,
  loadSyncConfig,
  ownershipOf,
  type LoadedCatalog,
} from './desired-state.js';
import { catalogRevisionsOf, changedProducts } from './vk-push-changes.js';
import type { ProductImageSource, VkMarketGateway } from './ports.js';
import { PushRun, StopPush, type PushReport } from './vk-push-run.js';

export type { PushReport } from './vk-push-run.js';

export interface PushDeps {
  store: EventStore;
  commands: CommandHandler;
  gateway: VkMarketGateway;
  /** the community the token administers; market methods take minus its id */
  groupId: number;
  settings: MirrorSettings;
  defaultPhoto: () => Promise<{ file: Buffer; filename: string }>;
  /** the user's Evotor images, for the photos of products that have one */
  images?: ProductImageSource;
  /** calls per chunk whose outcomes are recorded together (progress and crash granularity) */
  chunkSize?: number;
  onProgress?: (report: PushReport) => void;
  /** the planner's "now" (retry times); the command handler's clock stamps the records */
  clock?: () => Date;
}

/**
 * The earliest retry time still ahead among the failures the mirror waits on. A past one is
 * left out: its product had nothing to send this time (say, the change was undone), and
 * scheduling a push for it would repeat at once, for ever.
 */
export function nextRetryAt(state: MirrorState, now: Date): Date | null {
  let next: number | null = null;
  const consider = (at: number | null | undefined) => {
    if (at != null && at > now.getTime() && (next === null || at < next)) next = at;
  };
  for (const item of state.items.values()) consider(item.failure?.nextRetryAt);
  for (const album of state.albums.values()) consider(album.failure?.nextRetryAt);
  for (const photo of state.photoFailures.values()) consider(photo.nextRetryAt);
  return next === null ? null : new Date(next);
}

/**
 * What a push plans: the products named (a test's, or a job from before coalescing), the
 * products changed in Evotor since the last completed push (`'changes'`: the mirror saga's
 * pushes, see vk-push-changes.ts), or everything (absent).
 */
export type PushRequest = readonly string[] | 'changes';

/** The products a partial push plans: those asked for, and those the mirror still waits on. */
function focusOf(state: MirrorState, productIds: Iterable<string>, now: number): Set<string> {
  const focus = new Set(productIds);
  for (const [productId, item] of state.items) {
    if (item.pendingRequestId || (item.failure && isDue(item.failure, now))) focus.add(productId);
  }
  return focus;
}

const ignoreSuperseded = (error: unknown) => {
  if (!(error instanceof StopPush)) throw error;
};

/**
 * The plan a push would carry out now, from the same inputs the push reads: what the /sync
 * preview shows is what the push then does. `config` need not be active (the preview plans
 * before the owner confirms).
 */
export async function planPush(
  deps: Pick<PushDeps, 'store' | 'settings' | 'clock'>,
  userId: string,
  config: SyncConfigState,
  mirror: MirrorState,
  options: {
    now?: Date;
    /** a partial push: only these products (the rest of the mirror is left as it is) */
    focus?: ReadonlySet<string> | undefined;
    /** the user's catalogs, when the caller has loaded them */
    catalogs?: readonly LoadedCatalog[];
  } = {},
): Promise<{ desired: Map<string, DesiredEntry>; ctx: PlanContext; plan: MirrorPlan }> {
  const { focus } = options;
  const catalogs = options.catalogs ?? (await loadCatalogs(deps.store, userId));
  const desired = desiredItems(catalogs, config, deps.settings, mirror.items.keys(), focus);
  const ctx: PlanContext = {
    now: (options.now ?? (deps.clock ?? (() => new Date()))()).getTime(),
    observed: await loadObservedVk(deps.store, userId),
    ownership: ownershipOf(config),
  };
  return { desired, ctx, plan: planMirror(desired, mirror, ctx, { partial: focus !== undefined }) };
}

/**
 * One push for one user: a three-way plan (desired items, what the mirror stream says was
 * pushed, what VK last showed), sent batched through `execute`. Every outcome is appended to
 * `vk-mirror-{userId}` chunk by chunk, each append expecting the revision the push itself last
 * wrote: a second pusher (a lost job lock) makes this one stop ('superseded') instead of
 * interleaving. Before `market.add` / `market.addAlbum` the request is recorded, so a crash
 * between the call and its outcome is settled next time by adopting by sku / title.
 */
export async function pushToVk(
  deps: PushDeps,
  userId: string,
  correlationId: string,
  /**
   * The products to plan (see PushRequest), plus what is still failing or waiting on a create
   * request. Absent: the whole catalog.
   */
  request?: PushRequest,
): Promise<PushReport> {
  const report = newPushReport();
  const config = await loadSyncConfig(deps.store, userId);
  if (!taskRuns(config, 'mirror_to_vk')) return { ...report, outcome: 'inactive' };

  const mirror = await loadMirror(deps.store, userId);
  if (mirror.state.paused) return { ...report, outcome: 'paused' };

  const clock = deps.clock ?? (() => new Date());
  const catalogs = await loadCatalogs(deps.store, userId);
  // After the catalogs are read: every change this push covers was recorded before it, so the
  // lag /sync shows clears for all of them (one recorded since the read clears a moment early;
  // the push its job asked for sends it next).
  const startedAt = clock();
  const asked =
    request === 'changes'
      ? await changedProducts(deps.store, userId, catalogs, mirror.state)
      : (request ?? null);
  const focus = asked ? focusOf(mirror.state, asked, startedAt.getTime()) : undefined;
  // A push of named products covers only them: it records no catalog revisions.
  const covers = request === undefined || request === 'changes';
  const revisions = covers ? catalogRevisionsOf(catalogs) : undefined;
  if (focus?.size === 0 && (!revisions || coveredAlready(mirror.state, revisions)))
    return {
      ...report,
      outcome: 'nothing_to_do',
      nextRetryAt: nextRetryAt(mirror.state, clock())?.toISOString() ?? null,
    };
  const { desired, ctx, plan } = await planPush(deps, userId, config, mirror.state, {
    now: startedAt,
    focus,
    catalogs,
  });
  const run = new PushRun(deps, userId, correlationId, report, mirror);
  if (isEmptyPlan(plan)) {
    report.outcome = 'nothing_to_do';
    await run.completed(startedAt, focus, revisions).catch(ignoreSuperseded);
    return { ...report, nextRetryAt: nextRetryAt(run.state, clock())?.toISOString() ?? null };
  }

  try {
    await run.mark({
      type: 'StartVkPush',
      userId,
      pushId: correlationId,
      planned: planCounts(plan),
    });
    await run.prepare(plan);
    await run.adoptOrCreate(plan, desired);
    await run.changeExisting(plan);
    // Memberships last, on the state this push left: new items and new albums have ids now.
    const memberships = planMemberships(desired, run.state, { ...ctx, now: clock().getTime() });
    await run.memberships(memberships);
    await run.completed(startedAt, focus, revisions);
  } catch (error) {
    if (!(error instanceof StopPush)) {
      // The job retries; meanwhile the page must not show this push as still running.
      await run
        .mark({ type: 'FinishVkPush', userId, pushId: correlationId, outcome: 'failed' })
        .catch(() => undefined);
      throw error;
    }
    report.outcome = error.outcome;
  }
  // A superseded push may not write any more: the push that took over records its own end.
  if (report.outcome !== 'superseded') {
    const outcome =
      report.outcome === 'paused' || report.outcome === 'auth_failed' ? report.outcome : 'done';
    await run.mark({ type: 'FinishVkPush', userId, pushId: correlationId, outcome });
  }
  report.nextRetryAt = nextRetryAt(run.state, clock())?.toISOString() ?? null;
  return report;
}

/** A push's report before it did anything: done, nothing counted. */
export function newPushReport(): PushReport {
  return {
    outcome: 'done',
    created: 0,
    adopted: 0,
    updated: 0,
    hidden: 0,
    restored: 0,
    deleted: 0,
    albumsCreated: 0,
    photosUploaded: 0,
    failed: 0,
    retryableFailures: 0,
    needsAnotherRun: false,
    nextRetryAt: null,
  };
}

/** Whether the last completed push planned from these very catalog revisions. */
function coveredAlready(state: MirrorState, revisions: Record<string, number>): boolean {
  return Object.entries(revisions).every(([id, rev]) => state.pushedCatalogs.get(id) === rev);
}
