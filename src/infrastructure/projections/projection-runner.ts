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
import {
  commitBatch,
  ensureCheckpoint,
  isStart,
  lockName,
  markLive,
  prepareRebuild,
  readCheckpoint,
  replayLockName,
  resetForRebuild,
} from './checkpoints.js';
import { handledBy, subscriptionFilter } from './event-filter.js';
import { assertLockHeld, NamedLocks } from './named-lock.js';
import { delay, Signal } from './timing.js';

export type RunnerState = 'catching-up' | 'live' | 'retrying' | 'waiting-for-lock' | 'stopped';

export interface ProjectionStatus {
  name: string;
  version: number;
  position: Position | null;
  headPosition?: Position;
  /**
   * Events between the checkpoint and the store's head. MariaDB and memory positions are dense
   * (one per event), so this is an event count, including events of types the projection
   * ignores (an upper bound until the runner is idle). EventStoreDB positions are byte offsets:
   * there it is left out and `position`/`headPosition` tell the distance.
   */
  lagEvents?: number;
  state: RunnerState;
  lastError?: string;
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
  backoff?: { initialMs: number; maxMs: number };
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
  /** where the store's head was when the runner was last seen idle: all before it is handled */
  private idleThrough: Position | null = null;
  private lastError: string | undefined;
  private readonly progressed = new Signal();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private dense: boolean | null = null;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly lockPollMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.flushMs = options.flushMs ?? 20;
    this.lockPollMs = options.lockPollMs ?? 1000;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
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
    let position = this.effectivePosition();
    if (this.state === 'waiting-for-lock' || this.state === 'stopped' || !position) {
      position =
        (await readCheckpoint(sequelize, projection.name).catch(() => null))?.position ?? position;
    }
    const status: ProjectionStatus = {
      name: projection.name,
      version: projection.version,
      position,
      state: this.state,
      ...(this.lastError ? { lastError: this.lastError } : {}),
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
      const reached = this.effectivePosition();
      if (reached && comparePositions(reached, position) >= 0) return true;
      // A live runner's position moves only with the events it handles: the target is reached
      // too when nothing it handles lies between its position and the target.
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

  private effectivePosition(): Position | null {
    const [a, b] = [this.position, this.idleThrough];
    if (!a || !b) return a ?? b;
    return comparePositions(a, b) >= 0 ? a : b;
  }

  private async supervise(): Promise<void> {
    const { logger, projection, sequelize } = this.options;
    const stop = this.stopping.signal;
    let attempt = 0;
    let locks: NamedLocks | null = null;
    while (!stop.aborted) {
      try {
        locks ??= await NamedLocks.open(sequelize);
        this.state = 'waiting-for-lock';
        if (!(await this.acquire(locks))) continue;
        try {
          await this.runOwned(locks, () => (attempt = 0));
        } finally {
          await locks.release(lockName(projection.name));
        }
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.state = 'retrying';
        const waitMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** attempt++);
        logger.error(
          { err: error, projection: projection.name, retryInMs: waitMs },
          'projection failed',
        );
        // The lock connection may be broken; closing it also frees the lock on the server.
        await locks?.close();
        locks = null;
        await delay(waitMs, stop);
      }
    }
    await locks?.close();
    this.state = 'stopped';
  }

  /** Takes the projection lock unless a replay wants it; false = try again later. */
  private async acquire(locks: NamedLocks): Promise<boolean> {
    const name = this.name;
    if ((await locks.isFree(replayLockName(name))) && (await locks.acquire(lockName(name), 0))) {
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
    let rebuilding = checkpoint.status === 'rebuilding';
    this.position = checkpoint.position;
    this.idleThrough = null;
    this.state = 'catching-up';

    const interrupt = new AbortController();
    const onStop = () => interrupt.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    const watcher = this.watchForReplay(locks, interrupt);
    const subscription = store.subscribeToAll({
      ...(isStart(checkpoint.position) ? {} : { fromPosition: checkpoint.position }),
      filter: subscriptionFilter(projection),
    });
    const iterator = subscription[Symbol.asyncIterator]();
    const handled = handledBy(projection);
    const fence = (tx: ProjectionTx) =>
      assertLockHeld(tx, locks.qualify(lockName(projection.name)), locks.connectionId);
    let buffer: RecordedEvent[] = [];
    let through: Position | null = null;
    let caughtUp = false;
    let idleSampled = false;

    const flush = async () => {
      if (!through || (this.position && comparePositions(through, this.position) <= 0)) return;
      await commitBatch(sequelize, projection, buffer, through, fence);
      this.position = through;
      buffer = [];
      onProgress();
      this.progressed.notify();
    };

    try {
      let pending = iterator.next();
      for (;;) {
        pending.catch(() => undefined);
        const waitMs = buffer.length > 0 || (caughtUp && !idleSampled) ? this.flushMs : null;
        const next = await raceMessage(pending, interrupt.signal, waitMs);
        if (next === 'interrupted') break;
        if (next === 'timeout') {
          if (buffer.length > 0) await flush();
          else {
            // Idle after catching up: the head is handled too when no event of ours lies
            // between the checkpoint and it (events of other types never move the checkpoint).
            const head = await store.headPosition();
            if (head && (await this.nothingToHandle(this.position, head))) this.idleThrough = head;
            idleSampled = true;
            this.progressed.notify();
          }
          continue;
        }
        if (next.done) break;
        pending = iterator.next();
        const message: SubscriptionMessage = next.value;
        if (message.kind === 'event') {
          if (handled(message.event)) buffer.push(message.event);
          through = message.event.position;
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

async function raceMessage<T>(
  pending: Promise<T>,
  interrupt: AbortSignal,
  timeoutMs: number | null,
): Promise<T | 'interrupted' | 'timeout'> {
  if (interrupt.aborted) return 'interrupted';
  const local = new AbortController();
  const stopLocal = () => local.abort();
  interrupt.addEventListener('abort', stopLocal, { once: true });
  try {
    const racers: Array<Promise<T | 'interrupted' | 'timeout'>> = [
      pending,
      delay(timeoutMs ?? 2 ** 30, local.signal).then(() =>
        interrupt.aborted ? 'interrupted' : timeoutMs === null ? 'interrupted' : 'timeout',
      ),
    ];
    return await Promise.race(racers);
  } finally {
    interrupt.removeEventListener('abort', stopLocal);
    local.abort();
  }
}
