import type { EventStore, Position } from '../../src/application/ports/event-store.js';
import { comparePositions } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import { handledBy } from '../../src/infrastructure/projections/event-filter.js';
import type { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';

/**
 * Waits until each runner has handled the last event of a type it handles. A live runner's
 * position only moves with the events it handles, so the store's head is no target for it.
 */
export class Settler {
  private scanned: Position | null = null;
  private readonly last = new Map<string, Position>();

  constructor(
    private readonly store: EventStore,
    private readonly runners: Array<{ projection: Projection; runner: ProjectionRunner }>,
  ) {}

  async settle(timeoutMs = 30_000): Promise<void> {
    const filters = this.runners.map(
      ({ projection }) => [projection.name, handledBy(projection)] as const,
    );
    for (;;) {
      const batch = (
        await this.store.readAll({ fromPosition: this.scanned ?? undefined, maxCount: 2000 })
      ).filter((e) => !this.scanned || comparePositions(e.position, this.scanned) > 0);
      if (batch.length === 0) break;
      for (const event of batch) {
        for (const [name, handles] of filters)
          if (handles(event)) this.last.set(name, event.position);
      }
      this.scanned = batch[batch.length - 1]!.position;
    }
    const behind: string[] = [];
    await Promise.all(
      this.runners.map(async ({ projection, runner }) => {
        const target = this.last.get(projection.name);
        if (target && !(await runner.waitForPosition(target, timeoutMs)))
          behind.push(projection.name);
      }),
    );
    if (behind.length > 0) throw new Error(`projections did not catch up: ${behind.join(', ')}`);
  }
}
