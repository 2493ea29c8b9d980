import type { EventStore } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';

/** Waits until every runner has handled everything in the store (what it handles of it). */
export class Settler {
  constructor(
    private readonly store: EventStore,
    private readonly runners: Array<{ projection: Projection; runner: ProjectionRunner }>,
  ) {}

  async settle(timeoutMs = 30_000): Promise<void> {
    const head = await this.store.headPosition();
    if (!head) return;
    const behind: string[] = [];
    await Promise.all(
      this.runners.map(async ({ projection, runner }) => {
        if (!(await runner.waitForPosition(head, timeoutMs))) behind.push(projection.name);
      }),
    );
    if (behind.length > 0) throw new Error(`projections did not catch up: ${behind.join(', ')}`);
  }
}
