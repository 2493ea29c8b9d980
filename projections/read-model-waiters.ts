import type { Sequelize } from 'sequelize';
import { comparePositions, type Position } from '../src/application/ports/event-store.js';
import type { ReadModelWaiter } from '../src/application/ports/read-model-waiter.js';
import { readCheckpoint } from '../src/infrastructure/projections/checkpoints.js';

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
