import type { JobContext } from '../ports/scheduler.js';
import { sleep } from '../shared/sleep.js';
import { loadConnections } from './connections.js';
import type { SyncJobDeps } from './jobs.js';
import { enqueueChangesPush, enqueueSyncJob, pushRetryKey, SYNC_JOBS } from './sync-jobs.js';
import { pushToVk, type PushDeps, type PushReport, type PushRequest } from './vk-push.js';

/**
 * The push job's data. `changes`: a push of what changed in Evotor since the last completed
 * push (the mirror saga's); `productIds`: a push of these products (jobs enqueued before
 * coalescing); neither: a full push.
 */
export type PushJobData = { userId: string; changes?: boolean; productIds?: string[] };

const PUSH_BUSY_DELAY_MS = 5_000;
/** A push of changes that finds the lock taken tries again this often, in the job... */
const LOCK_POLL_MS = 200;
/** ...this long, then leaves a job for a second from now and ends. */
const LOCK_WAIT_MS = 15_000;
/** Pushes one loop makes before it hands the rest to a new job (other users' turn). */
const MAX_PASSES = 20;

/** What a push job asks for: everything, what changed since the last push, or these products. */
export type Wanted = { kind: 'full' } | { kind: 'changes' } | { kind: 'products'; ids: string[] };

/** Of two requests, the one that covers both: a full push covers every other. */
function union(a: Wanted | null, b: Wanted): Wanted {
  if (a === null) return b;
  if (a.kind === 'full' || b.kind === 'full') return { kind: 'full' };
  if (a.kind === 'changes' && b.kind === 'changes') return a;
  // Named products and changes, or two lists: only a full push is sure to cover both.
  return { kind: 'full' };
}

const wantedOf = (data: PushJobData): Wanted =>
  data.changes
    ? { kind: 'changes' }
    : data.productIds
      ? { kind: 'products', ids: data.productIds }
      : { kind: 'full' };

/**
 * One loop of pushes per user in a process. A push job that arrives while the user's loop runs
 * here (or waits for the lock) only adds what it asks for to the loop's next round and ends at
 * once: ten changes during a push become one following push of changes, and a full push asked
 * for during a push of changes (or the other way round) follows it in the same job, instead of
 * holding a job slot while it waits for the lock or coming back seconds later. A push of
 * changes takes the product ids from the event store, so a job that ends this way loses
 * nothing; a loop that must stop (passes used up, the process stopping) leaves a job for what
 * is left. Across processes the user's lock still keeps one push at a time.
 */
export class PushLoops {
  private readonly loops = new Map<string, { next: Wanted | null }>();

  /** Null when a loop for the user runs here (it takes `wanted` too); else the new loop. */
  enter(userId: string, wanted: Wanted): { next: Wanted | null } | null {
    const running = this.loops.get(userId);
    if (running) {
      running.next = union(running.next, wanted);
      return null;
    }
    const loop = { next: wanted };
    this.loops.set(userId, loop);
    return loop;
  }

  /**
   * Ends the user's loop here and returns what was asked of it since it last looked (null if
   * nothing): a request merged after the loop's last check, and before this, would otherwise be
   * lost with the loop. Synchronous, so no request can come in between.
   */
  leave(userId: string): Wanted | null {
    const loop = this.loops.get(userId);
    this.loops.delete(userId);
    return loop?.next ?? null;
  }
}

/** Runs one push job: a full push, a push of named products, or a push of changes, in a loop. */
export async function runPushJob(
  deps: SyncJobDeps,
  loops: PushLoops,
  userId: string,
  ctx: JobContext,
  data: PushJobData,
): Promise<void> {
  const loop = loops.enter(userId, wantedOf(data));
  if (loop === null) return; // the loop running here takes this request too
  try {
    const { vk, evotor } = await loadConnections(deps.store, deps.cipher, userId, deps.vkTokens);
    if (!vk) {
      loop.next = null; // nothing can be pushed without a VK connection
      return;
    }
    const pushDeps: PushDeps = {
      store: deps.store,
      commands: deps.commands,
      gateway: deps.gateways.vk(userId, vk),
      groupId: vk.groupId,
      settings: deps.settings,
      defaultPhoto: deps.defaultPhoto,
      ...(evotor ? { images: deps.gateways.evotorImages(userId, evotor.token) } : {}),
      onProgress: (progress) => {
        deps.onPushed?.(userId, progress);
        // The scheduler's heartbeat keeps the lock too; a failed touch must not escape.
        ctx
          .touch()
          .catch((error: unknown) =>
            deps.logger.warn({ err: error, userId }, 'could not renew the push job lock'),
          );
      },
    };
    const push = (pushId: string, request: PushRequest | undefined) =>
      deps.mutex.tryWithLock(`vk-push:${userId}`, () =>
        pushToVk(pushDeps, userId, pushId, request),
      );
    await pushLoop(deps, loop, userId, ctx, push);
  } finally {
    // Asked for after the loop last looked (between its end and here), or during a push that
    // failed: a job takes it.
    const late = loops.leave(userId);
    if (late) await enqueueLeft(deps.scheduler, userId, late, false);
  }
}

const requestOf = (wanted: Wanted): PushRequest | undefined =>
  wanted.kind === 'full' ? undefined : wanted.kind === 'changes' ? 'changes' : wanted.ids;

/**
 * A user's loop in this process: runs what `loop.next` asks for, and again while requests come
 * in (at most MAX_PASSES pushes); what is left is enqueued as a job.
 */
export async function pushLoop(
  deps: Pick<SyncJobDeps, 'scheduler' | 'logger' | 'onPushed'>,
  loop: { next: Wanted | null },
  userId: string,
  ctx: JobContext,
  push: (
    pushId: string,
    request: PushRequest | undefined,
  ) => Promise<{ acquired: true; value: PushReport } | { acquired: false }>,
): Promise<void> {
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (let pass = 0; pass < MAX_PASSES && !ctx.signal.aborted && loop.next;) {
    const wanted = loop.next;
    loop.next = null;
    const locked = await push(pass === 0 ? ctx.jobId : `${ctx.jobId}.${pass}`, requestOf(wanted));
    if (!locked.acquired) {
      // Another process's push holds the lock. What it read before this request came is pushed
      // next: changes wait here for a while, anything else comes back as a job.
      loop.next = union(loop.next, wanted);
      if (loop.next.kind !== 'changes' || Date.now() > waitUntil) break;
      await sleep(LOCK_POLL_MS, ctx.signal);
      continue;
    }
    pass++;
    await afterPush(deps, userId, locked.value, wanted.kind === 'full');
  }
  // Stopped with a request left: a job takes it.
  const left = loop.next;
  loop.next = null;
  if (left) await enqueueLeft(deps.scheduler, userId, left, true);
}

/**
 * A request no loop here will run, as a job (a push of changes reads the ids itself). `busy`:
 * the loop stopped with it (the lock taken elsewhere, its passes used up), so the job waits a
 * little; a request that merely came late runs at once.
 */
async function enqueueLeft(
  scheduler: SyncJobDeps['scheduler'],
  userId: string,
  left: Wanted,
  busy: boolean,
): Promise<void> {
  const delayMs = left.kind === 'changes' ? 1_000 : PUSH_BUSY_DELAY_MS;
  const when = busy ? { runAt: new Date(Date.now() + delayMs) } : {};
  if (left.kind === 'changes') await enqueueChangesPush(scheduler, userId, when);
  else await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, userId, when);
}

/** Progress, the log line, and the jobs a push's outcome asks for. */
async function afterPush(
  deps: Pick<SyncJobDeps, 'scheduler' | 'logger' | 'onPushed'>,
  userId: string,
  report: PushReport,
  full: boolean,
): Promise<void> {
  const { scheduler } = deps;
  deps.onPushed?.(userId, report);
  if (report.outcome !== 'nothing_to_do' || full)
    deps.logger.info({ userId, ...report }, 'VK push finished');
  // The VK catalog pages read the observed market: bring it up to date with what was written.
  // Not after a push of single changes: reading 10,000 items back would cost fifty calls
  // for one; the next periodic fetch shows them.
  if (full && wroteToVk(report)) await enqueueSyncJob(scheduler, SYNC_JOBS.vkFetch, userId);
  // Failing products wait for their retry time (recorded in the mirror); the push for that
  // time is enqueued here, so a failure never turns into a hot loop of job retries.
  if (report.needsAnotherRun || report.outcome === 'superseded') {
    const runAt = report.outcome === 'superseded' ? Date.now() + PUSH_BUSY_DELAY_MS : null;
    await enqueueSyncJob(
      scheduler,
      SYNC_JOBS.vkPush,
      userId,
      runAt !== null ? { runAt: new Date(runAt) } : {},
    );
  } else if (report.nextRetryAt) {
    // A key of its own: a pending retry must not absorb (and so delay) a push that an
    // Evotor change enqueues for now.
    await scheduler.enqueue(
      SYNC_JOBS.vkPush,
      { userId },
      {
        uniqueKey: pushRetryKey(userId),
        // Never sooner than a second from now: clocks of two machines may disagree a little.
        runAt: new Date(Math.max(Date.parse(report.nextRetryAt), Date.now() + 1_000)),
      },
    );
  }
}

function wroteToVk(report: PushReport): boolean {
  const { created, adopted, updated, hidden, restored, deleted, albumsCreated } = report;
  return created + adopted + updated + hidden + restored + deleted + albumsCreated > 0;
}
