import type { Scheduler } from '../ports/scheduler.js';
import type { EvotorConnection } from './evotor-connection.js';
import type { VkConnection } from './vk-connection.js';

export const CONNECTION_HEALTH_JOB = 'connection-health';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ConnectionHealthDeps {
  scheduler: Scheduler;
  evotor: EvotorConnection;
  vk: VkConnection;
  /** users with a saved Evotor token or VK community (from the read tables) */
  connectedUsers(): Promise<Array<{ userId: string; evotor: boolean; vk: boolean }>>;
  logger: Log;
}

/**
 * The periodic check of every saved connection: the same live calls as the "Проверить" button,
 * recorded as RecordEvotorHealth / RecordVkHealth (the deciders write an event only when the
 * health changes; inconclusive failures such as a timeout are not recorded at all).
 */
export function defineConnectionHealthJob(deps: ConnectionHealthDeps): void {
  deps.scheduler.define(
    CONNECTION_HEALTH_JOB,
    async (_data, ctx) => {
      const users = await deps.connectedUsers();
      let unhealthy = 0;
      for (const user of users) {
        if (ctx.signal.aborted) return;
        // One user's failure is logged and never stops the checks of the others.
        try {
          const checks = await Promise.all([
            user.evotor ? deps.evotor.recordHealth(user.userId) : null,
            user.vk ? deps.vk.recordHealth(user.userId) : null,
          ]);
          if (checks.some((c) => c && !c.ok)) unhealthy++;
        } catch (error) {
          deps.logger.warn({ err: error, userId: user.userId }, 'connection health check failed');
        }
        await ctx.touch();
      }
      deps.logger.info({ users: users.length, unhealthy }, 'connection health checked');
    },
    { concurrency: 1, lockLifetimeMs: 30 * 60_000 },
  );
}

export async function scheduleConnectionHealth(
  scheduler: Scheduler,
  everyMinutes: number,
): Promise<void> {
  await scheduler.every(CONNECTION_HEALTH_JOB, Math.max(1, everyMinutes) * 60);
}
