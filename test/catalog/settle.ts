import type { EventStore } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { Logger } from '../../src/infrastructure/logging/logger.js';
import {
  ProjectionRunner,
  type ProjectionRunnerOptions,
} from '../../src/infrastructure/projections/projection-runner.js';
import type { Container } from '../../src/main/container.js';
import { readModelProjections } from '../../src/main/worker-runtime.js';

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

/**
 * The worker's read-table runners, started on the container's database and event store, with
 * a settler over them. No mirror saga: tests and benches drive the sync themselves.
 */
export function startReadModelRunners(
  c: Container,
  logger: Logger,
  options: Pick<ProjectionRunnerOptions, 'flushMs' | 'lockPollMs'> = {},
): { runners: ProjectionRunner[]; settler: Settler; stop(): Promise<void> } {
  const pairs = readModelProjections(c).map((projection) => ({
    projection,
    runner: new ProjectionRunner({
      projection,
      sequelize: c.sequelize,
      store: c.eventStore,
      logger,
      ...options,
    }),
  }));
  const runners = pairs.map((p) => p.runner);
  for (const runner of runners) runner.start();
  return {
    runners,
    settler: new Settler(c.eventStore, pairs),
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
