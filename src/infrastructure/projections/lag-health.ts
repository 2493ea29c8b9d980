import { QueryTypes, type Sequelize } from 'sequelize';
import type { EventStore } from '../../application/ports/event-store.js';
import type { HealthCheck } from '../../application/ports/health.js';

/**
 * Each projection's checkpoint against the store's head, read from MariaDB, so any process
 * (the web too) can show how far the read tables lag. On MariaDB positions are dense, so the
 * difference is an event count (an upper bound: events a projection ignores count too); on
 * EventStoreDB only the positions are shown.
 */
export function projectionLagCheck(
  sequelize: Sequelize,
  store: EventStore,
  names: () => string[],
): HealthCheck {
  return {
    name: 'projections',
    required: false,
    async check() {
      const [rows, head, health] = await Promise.all([
        sequelize.query<{
          name: string;
          version: number;
          commit_position: number;
          status: string;
          updated_at: Date | null;
        }>(
          'SELECT name, version, commit_position, status, updated_at FROM projection_checkpoints',
          { type: QueryTypes.SELECT },
        ),
        store.headPosition(),
        store.health(),
      ]);
      const dense = health.adapter !== 'esdb';
      const byName = new Map(rows.map((r) => [r.name, r]));
      const projections = Object.fromEntries(
        names().map((name) => {
          const row = byName.get(name);
          const position = row ? Number(row.commit_position) : 0;
          return [
            name,
            {
              status: row?.status ?? 'not started',
              version: row ? Number(row.version) : null,
              position,
              ...(dense ? { lagEvents: Math.max(0, (head?.commit ?? 0) - position) } : {}),
            },
          ];
        }),
      );
      return { ok: true, head: head?.commit ?? 0, projections };
    },
  };
}
