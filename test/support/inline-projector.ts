import type { Sequelize } from 'sequelize';
import {
  comparePositions,
  type EventStore,
  type Position,
} from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { ReadModelWaiter } from '../../src/application/ports/read-model-waiter.js';
import { projectionTx } from '../../src/infrastructure/projections/checkpoints.js';
import { handledBy } from '../../src/infrastructure/projections/event-filter.js';

/**
 * Applies the projections right after each command, for tests that run no projection runner
 * (the accounts harness). Idempotent handlers make it safe alongside the real runner (both may
 * write the same rows; the revision guards keep the newest).
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
