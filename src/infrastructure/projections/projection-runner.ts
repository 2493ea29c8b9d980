import type { Sequelize } from 'sequelize';
import {
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
  type SubscriptionMessage,
} from '../../application/ports/event-store.js';
import type { Projection, ProjectionTx } from '../../application/projections/projection.js';
import type { Logger } from '../logging/logger.js';
import { eventsTableOf } from '../eventstore/events-table.js';
import {
  clearFailureThrough,
  commitBatch,
  ensureCheckpoint,
  isStart,
  lockName,
  markLive,
  prepareRebuild,
  readCheckpoint,
  recordFailure,
  replayLockName,
  retryDue,
  resetForRebuild,
  type ProjectionFailure,
} from './checkpoints.js';
import { handledBy, subscriptionFilter } from './event-filter.js';
import { assertLockHeld, LockLostError, NamedLocks } from './named-lock.js';
import { delay, MessageWaiter, Signal } from './timing.js';
import { backoffCeiling } from '../shared/backoff.js';

export type RunnerState = 'catching-up' | 'live' | 'retrying' | 'waiting-for-lock' | 'stopped';

export interface ProjectionStatus {
  name: string;
  version: number;
  position: Position | null;
  headPosition?: Position;
  /**
   * Events between the checkpoint and the store's head. MariaDB and memory positions are dense
   * (one per event), so this is an event count, including events of types the projection
   * ignores (the checkpoint passes those when the runner is idle, so an idle projection shows
   * 0 and a stuck one a growing number). EventStoreDB positions are byte offsets:
   * there it is left out and `position`/`headPosition` tell the distance.
   */
  lagEvents?: number;
  state: RunnerState;
  lastError?: string;
  /** what it is stuck on, while a failure is unresolved */
  failure?: ProjectionFailure;
}

/**
 * An event the projection's handler fails on by itself (found by applying the failed batch one
 * event at a time): the runner names it in /health and on the admin page, and retries it with
 * growing delays until a fix (a deploy, corrected data) lets it through.
 */
export class PoisonEventError extends Error {
  constructor(
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super(`${event.type} ${event.id} (${event.streamId}@${event.revision}): ${errorText(cause)}`, {
      cause,
    });
    this.name = 'PoisonEventError';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ProjectionRunnerOptions {
  projection: Projection;
  sequelize: Sequelize;
  store: EventStore;
  logger: Logger;
  /** most events per transaction */
  batchSize?: number;
  /** how long a partial batch waits for more events before it is written */
  flushMs?: number;
  /** how often a waiting runner retries the lock and a running one checks for a replay */
  lockPollMs?: number;
  /** retry delays after a failure: doubling from `initialMs` up to `maxMs` */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * How often an idle runner looks at the store's head, to move its checkpoint past events it
   * does not handle (one cheap query per look while nothing is appended).
   */
  idleCheckpointMs?: number;
}

/**
 * Runs one projection in this process, when it holds the projection's MariaDB lock. Supervised:
 * any failure (store, database, lost lock) is logged, then the runner backs off and starts again
 * from the last committed checkpoint. It lets go of the projection while `evosync replay` holds
 * the replay lock, and takes it back after.
 */
export class ProjectionRunner {
  private state: RunnerState = 'stopped';
  private position: Position | null = null;
  private lastError: string | undefined;
  private failure: ProjectionFailure | undefined;
  /** a failure is written in the checkpoint row: the commit that gets past it clears it */
  private failureOnRecord = false;
  private readonly progressed = new Signal();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private dense: boolean | null = null;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly lockPollMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly idleCheckpointMs: number;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.flushMs = options.flushMs ?? 20;
    this.lockPollMs = options.lockPollMs ?? 1000;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.idleCheckpointMs = options.idleCheckpointMs ?? 2000;
  }

  get name(): string {
    return this.options.projection.name;
  }

  start(): void {
    this.loop ??= this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  async status(): Promise<ProjectionStatus> {
    const { projection, store, sequelize } = this.options;
    let position = this.position;
    let failure = this.failure;
    // Without the lock (waiting for it, or between attempts) another worker may run it.
    const elsewhere = this.state !== 'live' && this.state !== 'catching-up';
    if (elsewhere || !position) {
      const stored = await readCheckpoint(sequelize, projection.name).catch(() => null);
      position = stored?.position ?? position;
      // What is on record is current, not what this one last saw.
      if (elsewhere && stored) failure = stored.failure ?? undefined;
    }
    const status: ProjectionStatus = {
      name: projection.name,
      version: projection.version,
      position,
      state: this.state,
      ...(this.lastError && failure ? { lastError: this.lastError } : {}),
      ...(failure ? { failure } : {}),
    };
    const head = await store.headPosition().catch(() => null);
    if (head) {
      status.headPosition = head;
      this.dense ??= (await store.health().catch(() => null))?.adapter !== 'esdb';
      if (this.dense) status.lagEvents = Math.max(0, head.commit - (position?.commit ?? 0));
    } else if (head === null) {
      status.lagEvents = 0;
    }
    return status;
  }

  /**
   * Read-your-writes: resolves true once the projection has handled everything up to
   * `position`, false after `timeoutMs`. Works whichever worker runs the projection.
   */
  async waitForPosition(position: Position, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.state !== 'live' && this.state !== 'catching-up') {
        // Another worker runs the projection: its stored checkpoint tells.
        const stored = await readCheckpoint(this.options.sequelize, this.name).catch(() => null);
        if (stored?.status === 'live' && (await this.nothingToHandle(stored.position, position))) {
          return true;
        }
      }
      const reached = this.position;
      if (reached && comparePositions(reached, position) >= 0) return true;
      // Past events of other types the position moves only when the runner is idle: the target
      // is reached too when nothing it handles lies between its position and the target.
      if (
        (this.state === 'live' || this.state === 'catching-up') &&
        (await this.nothingToHandle(reached, position))
      ) {
        return true;
      }
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.progressed.wait(Math.min(left, 100));
    }
  }

  /** True when no event this projection handles lies in (`from`, `to`]. */
  private async nothingToHandle(from: Position | null, to: Position): Promise<boolean> {
    if (from && comparePositions(from, to) >= 0) return true;
    const { store, projection } = this.options;
    const next = await store.readAll({
      ...(from && !isStart(from) ? { fromPosition: from } : {}),
      filter: subscriptionFilter(projection),
      maxCount: 2,
    });
    const handled = handledBy(projection);
    return !next.some(
      (e) =>
        handled(e) &&
        (!from || comparePositions(e.position, from) > 0) &&
        comparePositions(e.position, to) <= 0,
    );
  }

  private async supervise(): Promise<void> {
    const { projection, sequelize } = this.options;
    const stop = this.stopping.signal;
    let attempt = 0;
    let locks: NamedLocks | null = null;
    while (!stop.aborted) {
      let waitMs: number | null = null;
      try {
        locks ??= await NamedLocks.open(sequelize);
        this.state = 'waiting-for-lock';
        if (!(await this.acquire(locks))) continue;
        try {
          await this.runOwned(locks, () => (attempt = 0));
        } catch (error) {
          // Noted while the lock is still held: a worker taking over sees the delay first.
          waitMs = await this.failed(error, attempt++);
        } finally {
          await locks.release(lockName(projection.name));
        }
      } catch (error) {
        if (waitMs === null) waitMs = await this.failed(error, attempt++);
      }
      if (waitMs !== null) {
        // The lock connection may be broken; closing it also frees the lock on the server.
        await locks?.close();
        locks = null;
        await delay(waitMs, stop);
      }
    }
    await locks?.close();
    this.state = 'stopped';
  }

  /** Logs and records a failure; returns how long to wait before the next attempt. */
  private async failed(error: unknown, attempt: number): Promise<number> {
    this.lastError = errorText(error);
    this.state = 'retrying';
    const poison = error instanceof PoisonEventError ? error : null;
    const local = backoffCeiling(attempt, {
      baseMs: this.backoff.initialMs,
      maxMs: this.backoff.maxMs,
    });
    const waitMs = await this.noteFailure(poison, error, local);
    this.options.logger.error(
      {
        err: poison?.cause ?? error,
        projection: this.name,
        retryInMs: waitMs,
        ...(poison
          ? {
              eventId: poison.event.id,
              eventType: poison.event.type,
              stream: poison.event.streamId,
            }
          : {}),
      },
      poison ? 'projection cannot apply an event' : 'projection failed',
    );
    return waitMs;
  }

  /**
   * Keeps the failure where every process sees it and returns how long to wait: the delay
   * recorded with it (it grows with the attempts on record, whichever worker made them), or
   * this runner's own when the database, likely what failed, cannot record it.
   */
  private async noteFailure(
    poison: PoisonEventError | null,
    error: unknown,
    localWaitMs: number,
  ): Promise<number> {
    const event = poison?.event ?? null;
    const message = errorText(poison?.cause ?? error);
    const same = (this.failure?.event?.id ?? null) === (event?.id ?? null);
    let attempts = same && this.failure ? this.failure.attempts + 1 : 1;
    let waitMs = localWaitMs;
    try {
      ({ attempts, retryInMs: waitMs } = await recordFailure(this.options.sequelize, this.name, {
        error: message,
        event,
        backoff: this.backoff,
      }));
      this.failureOnRecord = true;
    } catch {
      // Not recorded (the database is down, most likely): its own health check shows that.
    }
    const now = new Date();
    this.failure = {
      error: message,
      event: event && {
        id: event.id,
        type: event.type,
        streamId: event.streamId,
        position: event.position,
      },
      attempts,
      since: same && this.failure ? this.failure.since : now,
      lastFailedAt: now,
      nextRetryAt: new Date(now.getTime() + waitMs),
    };
    return waitMs;
  }

  /** Takes the projection lock unless a replay wants it; false = try again later. */
  private async acquire(locks: NamedLocks): Promise<boolean> {
    const name = this.name;
    if (
      (await retryDue(this.options.sequelize, name)) &&
      (await locks.isFree(replayLockName(name))) &&
      (await locks.acquire(lockName(name), 0))
    ) {
      return true;
    }
    await delay(this.lockPollMs, this.stopping.signal);
    return false;
  }

  /** Runs until stopped or until a replay asks for the projection; throws on failure. */
  private async runOwned(locks: NamedLocks, onProgress: () => void): Promise<void> {
    const { projection, sequelize, store, logger } = this.options;
    let checkpoint = await ensureCheckpoint(sequelize, projection);
    if (checkpoint.version !== projection.version) {
      logger.info(
        { projection: projection.name, from: checkpoint.version, to: projection.version },
        'projection version changed: rebuilding',
      );
      await resetForRebuild(sequelize, projection);
    } else if (checkpoint.status === 'rebuilding') {
      await prepareRebuild(sequelize, projection, checkpoint);
    }
    checkpoint = await ensureCheckpoint(sequelize, projection);
    // A failure another process recorded is cleared by this one's first commit past it; one
    // another process got past is forgotten.
    const stuckAt = checkpoint.failure?.event?.position;
    if (stuckAt && comparePositions(checkpoint.position, stuckAt) >= 0) {
      // A replay (or another worker) got past it already.
      await clearFailureThrough(sequelize, projection.name, checkpoint.position);
      checkpoint = { ...checkpoint, failure: null };
    }
    this.failureOnRecord = checkpoint.failure !== null;
    if (!checkpoint.failure) this.failure = undefined;
    let rebuilding = checkpoint.status === 'rebuilding';
    this.position = checkpoint.position;
    this.state = 'catching-up';

    const interrupt = new AbortController();
    const onStop = () => interrupt.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    // stop() may have come while the checkpoint was read: its abort event is gone by now.
    if (this.stopping.signal.aborted) interrupt.abort();
    const watcher = this.watchForReplay(locks, interrupt);
    const subscription = store.subscribeToAll({
      ...(isStart(checkpoint.position) ? {} : { fromPosition: checkpoint.position }),
      filter: subscriptionFilter(projection),
    });
    const iterator = subscription[Symbol.asyncIterator]();
    const handled = handledBy(projection);
    const fence = (tx: ProjectionTx) =>
      assertLockHeld(tx, locks.qualify(lockName(projection.name)), locks.connectionId);
    const eventsTable = eventsTableOf(store, sequelize);
    let buffer: RecordedEvent[] = [];
    let through: Position | null = null;
    let caughtUp = false;
    let idleSampled = false;

    /** Commits one batch; clears the failure on record once a commit got past it. */
    const commit = async (events: RecordedEvent[], to: Position) => {
      await commitBatch(sequelize, projection, events, to, {
        fence,
        clearFailure: this.failureOnRecord,
        eventsTable,
      });
      if (this.failureOnRecord || this.failure) {
        const stuckAt = this.failure?.event?.position;
        if (!stuckAt || comparePositions(to, stuckAt) >= 0) {
          this.failureOnRecord = false;
          this.failure = undefined;
          this.lastError = undefined;
        }
      }
      this.position = to;
      onProgress();
      this.progressed.notify();
    };

    const flush = async () => {
      if (!through || (this.position && comparePositions(through, this.position) <= 0)) return;
      try {
        await commit(buffer, through);
      } catch (error) {
        if (error instanceof LockLostError || buffer.length === 0) throw error;
        // Which event is it? One at a time: those before it are kept, it is named.
        for (const event of buffer) {
          if (this.position && comparePositions(event.position, this.position) <= 0) continue;
          try {
            await commit([event], event.position);
          } catch (single) {
            if (single instanceof LockLostError) throw single;
            throw new PoisonEventError(event, single);
          }
        }
        if (!this.position || comparePositions(through, this.position) > 0) {
          await commit([], through);
        }
      }
      buffer = [];
    };

    /**
     * Idle: when no event of ours lies between the checkpoint and the store's head, the
     * checkpoint moves to the head (events of other types, filtered out on the way, are read
     * too), so a restart does not read the tail again and the lag of an idle projection is 0.
     */
    const checkpointIdle = async () => {
      const head = await store.headPosition();
      if (!head || (this.position && comparePositions(head, this.position) <= 0)) return;
      if (!(await this.nothingToHandle(this.position, head))) return;
      if (!through || comparePositions(head, through) > 0) through = head;
      await flush();
    };

    const waiter = new MessageWaiter<IteratorResult<SubscriptionMessage>>(interrupt.signal);
    try {
      let pending = iterator.next();
      let idleCheckAt = 0;
      for (;;) {
        pending.catch(() => undefined);
        let waitMs: number | null = null;
        if (buffer.length > 0 || (caughtUp && !idleSampled)) waitMs = this.flushMs;
        else if (caughtUp) waitMs = Math.max(0, idleCheckAt - Date.now());
        const next = await waiter.next(pending, waitMs);
        if (next === 'interrupted') break;
        if (next === 'timeout') {
          if (buffer.length > 0) await flush();
          else {
            await checkpointIdle();
            idleSampled = true;
            idleCheckAt = Date.now() + this.idleCheckpointMs;
            this.progressed.notify();
          }
          continue;
        }
        if (next.done) break;
        pending = iterator.next();
        const message: SubscriptionMessage = next.value;
        if (message.kind === 'event') {
          const position = message.event.position;
          if (this.position && comparePositions(position, this.position) <= 0) continue;
          if (handled(message.event)) buffer.push(message.event);
          if (!through || comparePositions(position, through) > 0) through = position;
          idleSampled = false;
          if (buffer.length >= this.batchSize) await flush();
          continue;
        }
        await flush();
        if (rebuilding) {
          await markLive(sequelize, projection.name);
          rebuilding = false;
          logger.info({ projection: projection.name }, 'projection rebuilt');
        }
        caughtUp = true;
        this.state = 'live';
        onProgress();
      }
    } finally {
      waiter.close();
      this.stopping.signal.removeEventListener('abort', onStop);
      interrupt.abort();
      await subscription.unsubscribe();
      await watcher;
    }
  }

  /** Polls the replay lock; a replay waiting for this projection interrupts the run. */
  private async watchForReplay(locks: NamedLocks, interrupt: AbortController): Promise<void> {
    while (!interrupt.signal.aborted) {
      await delay(this.lockPollMs, interrupt.signal);
      if (interrupt.signal.aborted) return;
      const free = await locks.isFree(replayLockName(this.name)).catch(() => true);
      if (!free) {
        this.options.logger.info({ projection: this.name }, 'yielding the projection to a replay');
        interrupt.abort();
      }
    }
  }
}
