import type { Sequelize } from 'sequelize';
import {
  comparePositions,
  type EventStore,
  type Position,
} from '../src/application/ports/event-store.js';
import type { Projection } from '../src/application/projections/projection.js';
import type { ReadModelWaiter } from '../src/application/ports/read-model-waiter.js';
import { projectionTx, readCheckpoint } from '../src/infrastructure/projections/checkpoints.js';
import { handledBy } from '../src/infrastructure/projections/event-filter.js';

/**
 * Applies the projections in the web process itself, right after each command: for tests, and
 * for a single-process setup without a worker. Idempotent handlers make it safe alongside the
 * real runner (both may write the same rows; the revision guards keep the newest).
 */
export class InlineProjector implements ReadModelWaiter {
  private after: Position | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly sequelize: Sequelize,
    private readonly projections: Projection[],
  ) {}

  waitFor(_position: Position | null, _projections?: string[]): Promise<void> {
    this.running = this.running.then(() => this.catchUp());
    return this.running;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const batch = (
        await this.store.readAll({ fromPosition: this.after ?? undefined, maxCount: 500 })
      ).filter((e) => !this.after || comparePositions(e.position, this.after) > 0);
      if (batch.length === 0) return;
      await this.sequelize.transaction(async (transaction) => {
        const tx = projectionTx(this.sequelize, transaction);
        for (const projection of this.projections) {
          const events = batch.filter(handledBy(projection));
          if (events.length > 0) await projection.handle(events, tx);
        }
      });
      this.after = batch[batch.length - 1]!.position;
    }
  }
}

/**
 * Waits (bounded) until the runner's checkpoints of the named projections have reached the
 * position: the page after a redirect then shows what the user just did.
 */
export class CheckpointWaiter implements ReadModelWaiter {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly defaultNames: string[] = ['users'],
    private readonly deadlineMs = 2000,
    private readonly pollMs = 25,
  ) {}

  async waitFor(position: Position | null, projections?: string[]): Promise<void> {
    if (!position) return;
    const names = projections ?? this.defaultNames;
    const until = Date.now() + this.deadlineMs;
    while (Date.now() < until) {
      const checkpoints = await Promise.all(names.map((n) => readCheckpoint(this.sequelize, n)));
      if (checkpoints.every((c) => c && comparePositions(c.position, position) >= 0)) return;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }
}
