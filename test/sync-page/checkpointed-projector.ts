import { comparePositions, type Position } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import {
  commitBatch,
  ensureCheckpoint,
  isStart,
  markLive,
} from '../../src/infrastructure/projections/checkpoints.js';
import { handledBy } from '../../src/infrastructure/projections/event-filter.js';
import type { Container } from '../../src/main/container.js';

/**
 * The real projections and checkpoints, applied in a loop without the runner's supervision
 * and lock, so a test can apply everything in the store at once (`catchUp`) and go on. The
 * checkpoints are written as the runner writes them, so the web process's CheckpointWaiter
 * (read-your-writes after a command) works as in production. (Written when the runner's locks
 * were still server-wide; the runner itself is tested in test/projections.)
 */
export class CheckpointedProjector {
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly c: Container,
    private readonly projections: Projection[],
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.catchUp()
        .catch((error: unknown) => this.c.logger.warn({ err: error }, 'test projector failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, 15);
        });
    };
    tick();
  }

  /** Applies everything in the store now (serialized with the background loop). */
  catchUp(): Promise<void> {
    this.running = this.running.catch(() => undefined).then(() => this.applyAll());
    return this.running;
  }

  private async applyAll(): Promise<void> {
    const { sequelize, eventStore } = this.c;
    for (const projection of this.projections) {
      const checkpoint = await ensureCheckpoint(sequelize, projection);
      let after: Position | null = isStart(checkpoint.position) ? null : checkpoint.position;
      for (;;) {
        const batch = (
          await eventStore.readAll({ ...(after ? { fromPosition: after } : {}), maxCount: 500 })
        ).filter((e) => !after || comparePositions(e.position, after) > 0);
        if (batch.length === 0) break;
        const through = batch[batch.length - 1]!.position;
        await commitBatch(sequelize, projection, batch.filter(handledBy(projection)), through);
        after = through;
      }
      if (checkpoint.status !== 'live') await markLive(sequelize, projection.name);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }
}
