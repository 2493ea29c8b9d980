import type { Sequelize } from 'sequelize';
import {
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../../application/ports/event-store.js';
import type { Projection, ProjectionTx } from '../../application/projections/projection.js';
import {
  commitBatch,
  ensureCheckpoint,
  isStart,
  lockName,
  markLive,
  prepareRebuild,
  replayLockName,
  resetForRebuild,
} from './checkpoints.js';
import { handledBy, subscriptionFilter } from './event-filter.js';
import { assertLockHeld, NamedLocks } from './named-lock.js';
import { eventsTableOf } from '../eventstore/events-table.js';

export interface ReplayProgress {
  projection: string;
  /** events of `$all` passed (positions are dense on MariaDB; byte offsets on EventStoreDB) */
  done: number;
  total: number;
  handled: number;
}

export interface ReplayOptions {
  sequelize: Sequelize;
  store: EventStore;
  projection: Projection;
  /** events per read page and per transaction */
  pageSize?: number;
  /** restart from the first event even when an interrupted rebuild of this version could resume */
  fromScratch?: boolean;
  onStart?(progress: ReplayProgress & { resumed: boolean }): void;
  onProgress?(progress: ReplayProgress): void;
  /** called once when a worker holds the projection and replay waits for it to yield */
  onWaiting?(): void;
  /** stops after the current batch; the checkpoint stays `rebuilding` */
  signal?: AbortSignal;
}

/**
 * Events per page and transaction by default. Replay is bound by this process's CPU, and each
 * page costs a transaction, a checkpoint write and a row-loading SELECT per scope whatever its
 * size: bench:replay went from 22,800 events/s at 5,000 to 27,200 at 20,000 (two pages of
 * catalog events, some 30 MB, are in memory at once: one written, the next read).
 */
export const REPLAY_PAGE_SIZE = 20_000;

export interface ReplayResult {
  projection: string;
  handled: number;
  seconds: number;
  resumed: boolean;
  completed: boolean;
}

/**
 * Rebuilds one projection from the first event, the way `evosync replay` does. It first takes
 * the projection's replay lock (running workers see it and let go of the projection), then the
 * projection lock itself. Each page is written with its checkpoint in one transaction, so an
 * interrupted replay leaves a consistent prefix marked `rebuilding`, and the next replay of the
 * same version resumes from there (`fromScratch` starts over).
 */
export async function replayProjection(options: ReplayOptions): Promise<ReplayResult> {
  const { sequelize, store, projection } = options;
  const pageSize = options.pageSize ?? REPLAY_PAGE_SIZE;
  const locks = await NamedLocks.open(sequelize);
  const main = lockName(projection.name);
  const started = Date.now();
  try {
    if (!(await locks.acquire(replayLockName(projection.name), 0))) {
      throw new Error(`Another replay of ${projection.name} is running`);
    }
    if (!(await locks.acquire(main, 0))) {
      // A worker runs it; it sees the replay lock within its poll interval and lets go.
      options.onWaiting?.();
      while (!(await locks.acquire(main, 1))) {
        if (options.signal?.aborted) return result(0, false, false);
      }
    }
    let checkpoint = await ensureCheckpoint(sequelize, projection);
    const resumed =
      !options.fromScratch &&
      checkpoint.status === 'rebuilding' &&
      checkpoint.version === projection.version &&
      !isStart(checkpoint.position);
    if (resumed) await prepareRebuild(sequelize, projection, checkpoint);
    else await resetForRebuild(sequelize, projection);
    checkpoint = await ensureCheckpoint(sequelize, projection);

    const begin = checkpoint.position;
    const head = (await store.headPosition()) ?? begin;
    const progress: ReplayProgress = {
      projection: projection.name,
      done: begin.commit,
      total: Math.max(head.commit, begin.commit),
      handled: 0,
    };
    options.onStart?.({ ...progress, resumed });
    const fence = (tx: ProjectionTx) => assertLockHeld(tx, locks.qualify(main), locks.connectionId);

    const handled = handledBy(projection);
    const eventsTable = eventsTableOf(store, sequelize);
    const read = (after: Position) => readPage(store, projection, after, pageSize);
    let next = read(begin);
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      const through = page.at(-1)!.position;
      // Reading the next page overlaps with writing this one: MariaDB works on both at once.
      next = page.length < pageSize ? Promise.resolve([]) : read(through);
      const events = page.filter(handled);
      await commitBatch(sequelize, projection, events, through, { fence, eventsTable });
      progress.done = through.commit;
      progress.handled += events.length;
      if (progress.done > progress.total) progress.total = progress.done;
      options.onProgress?.({ ...progress });
      if (options.signal?.aborted) {
        await next.catch(() => []);
        return result(progress.handled, resumed, false);
      }
    }
    await markLive(sequelize, projection.name);
    return result(progress.handled, resumed, true);
  } finally {
    await locks.close();
  }

  function result(handled: number, resumed: boolean, completed: boolean): ReplayResult {
    return {
      projection: projection.name,
      handled,
      seconds: (Date.now() - started) / 1000,
      resumed,
      completed,
    };
  }
}

/** Events strictly after `after`, at most `pageSize` (`readAll` is inclusive, so one more is read). */
async function readPage(
  store: EventStore,
  projection: Projection,
  after: Position,
  pageSize: number,
): Promise<RecordedEvent[]> {
  const filter = subscriptionFilter(projection);
  if (isStart(after)) return store.readAll({ maxCount: pageSize, filter });
  const page = await store.readAll({ fromPosition: after, maxCount: pageSize + 1, filter });
  return page.filter((e) => comparePositions(e.position, after) > 0).slice(0, pageSize);
}
