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

/**
 * One loop of pushes of changes per user in a process. A push of changes that arrives while
 * the loop runs or waits for the lock only tells it to go round once more and ends: ten
 * changes during a push become one following push, not ten jobs queued on the lock. The loop
 * takes the product ids from the event store, so a job that ends this way loses nothing; a
 * loop that must stop (passes used up, the process stopping) leaves one job for the rest.
 */
export class ChangesLoops {
  private readonly loops = new Map<string, { again: boolean }>();

  /** Null when a loop for the user runs here (told to go round again); else the new loop. */
  enter(userId: string): { again: boolean } | null {
    const running = this.loops.get(userId);
    if (running) {
      running.again = true;
      return null;
    }
    const loop = { again: false };
    this.loops.set(userId, loop);
    return loop;
  }

  leave(userId: string): void {
    this.loops.delete(userId);
  }
}

/** Runs one push job: a full push, a push of named products, or a loop of pushes of changes. */
export async function runPushJob(
  deps: SyncJobDeps,
  loops: ChangesLoops,
  userId: string,
  ctx: JobContext,
  data: PushJobData,
): Promise<void> {
  const loop = data.changes ? loops.enter(userId) : undefined;
  if (loop === null) return; // the loop running here takes these changes too
  try {
    const { vk, evotor } = await loadConnections(deps.store, deps.cipher, userId, deps.vkTokens);
    if (!vk) return;
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
    const push = (pushId: string, request?: PushRequest) =>
      deps.mutex.tryWithLock(`vk-push:${userId}`, () =>
        pushToVk(pushDeps, userId, pushId, request),
      );
    if (!loop) {
      const locked = await push(ctx.jobId, data.productIds);
      if (locked.acquired) return await afterPush(deps, userId, locked.value, !data.productIds);
      // Another push for this user is running; what woke this one is picked up after it.
      if (data.productIds) return await enqueueChangesPush(deps.scheduler, userId).then(noop);
      await enqueueSyncJob(deps.scheduler, SYNC_JOBS.vkPush, userId, {
        runAt: new Date(Date.now() + PUSH_BUSY_DELAY_MS),
      });
      return;
    }
    await changesLoop(deps, loop, userId, ctx, (pass) =>
      push(pass === 0 ? ctx.jobId : `${ctx.jobId}.${pass}`, 'changes'),
    );
  } finally {
    if (loop) loops.leave(userId);
  }
}

async function changesLoop(
  deps: SyncJobDeps,
  loop: { again: boolean },
  userId: string,
  ctx: JobContext,
  push: (pass: number) => Promise<{ acquired: true; value: PushReport } | { acquired: false }>,
): Promise<void> {
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (let pass = 0; pass < MAX_PASSES && !ctx.signal.aborted;) {
    loop.again = false;
    const locked = await push(pass);
    if (!locked.acquired) {
      // A full push, or another worker's push, holds the lock: wait here for a while.
      loop.again = true;
      if (Date.now() > waitUntil) break;
      await sleep(LOCK_POLL_MS, ctx.signal);
      continue;
    }
    pass++;
    await afterPush(deps, userId, locked.value, false);
    if (!loop.again) return;
  }
  // Stopped with changes left: a job takes them (the ids are in the event store).
  await enqueueChangesPush(deps.scheduler, userId, { runAt: new Date(Date.now() + 1_000) });
}

const noop = () => undefined;

/** Progress, the log line, and the jobs a push's outcome asks for. */
async function afterPush(
  deps: SyncJobDeps,
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
