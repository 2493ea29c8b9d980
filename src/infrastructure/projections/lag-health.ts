import { QueryTypes, type Sequelize } from 'sequelize';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import type { HealthCheck } from '../../application/ports/health.js';
import {
  FAILURE_COLUMNS,
  failureOf,
  type FailureRow,
  type ProjectionFailure,
} from './checkpoints.js';

/**
 * How a projection is doing, told apart by its checkpoint (which passes ignored events when the
 * runner is idle): `idle` at the head; `working` behind it but moving; `stuck` behind it and not
 * moved for STUCK_AFTER_MS (no worker runs it, or it hangs); `retrying` after a failure;
 * `failing` when the same event failed POISON_AFTER_ATTEMPTS times in a row.
 */
export type ProjectionCondition =
  | 'idle'
  | 'working'
  | 'stuck'
  | 'retrying'
  | 'failing'
  | 'rebuilding'
  | 'not started'
  /** the event store did not tell where its head is */
  | 'unknown';

export const POISON_AFTER_ATTEMPTS = 3;
export const STUCK_AFTER_MS = 60_000;

export interface ProjectionOverview {
  name: string;
  condition: ProjectionCondition;
  status: 'live' | 'rebuilding' | 'not started';
  version: number | null;
  position: Position | null;
  /** events between the checkpoint and the head (MariaDB and memory stores only) */
  lagEvents?: number;
  /** when the checkpoint last moved */
  updatedAt: Date | null;
  failure: ProjectionFailure | null;
}

interface CheckpointRow extends FailureRow {
  name: string;
  version: number;
  commit_position: number | string;
  prepare_position: number | string;
  status: 'live' | 'rebuilding';
  updated_at: Date | string | null;
}

const utc = (v: Date | string) => (v instanceof Date ? v : new Date(`${v.replace(' ', 'T')}Z`));

/**
 * Every projection's state from MariaDB and the store's head, so any process (the web too) can
 * show it: /health and the admin page read this.
 */
export async function projectionOverview(
  sequelize: Sequelize,
  store: EventStore,
  names: string[],
  now = new Date(),
): Promise<{ head: Position | null | undefined; projections: ProjectionOverview[] }> {
  const [rows, head, health] = await Promise.all([
    sequelize.query<CheckpointRow>(
      `SELECT name, version, commit_position, prepare_position, status, updated_at, ${FAILURE_COLUMNS}
         FROM projection_checkpoints`,
      { type: QueryTypes.SELECT },
    ),
    // The event store has its own check: when it does not answer, the failures on record
    // in MariaDB are still reported, without the lag.
    store.headPosition().catch(() => undefined),
    store.health().catch(() => null),
  ]);
  const dense = health !== null && head !== undefined && health.adapter !== 'esdb';
  const byName = new Map(rows.map((r) => [r.name, r]));
  const projections = names.map((name): ProjectionOverview => {
    const row = byName.get(name);
    if (!row) {
      return {
        name,
        condition: 'not started',
        status: 'not started',
        version: null,
        position: null,
        ...(dense ? { lagEvents: head?.commit ?? 0 } : {}),
        updatedAt: null,
        failure: null,
      };
    }
    const position = { commit: Number(row.commit_position), prepare: Number(row.prepare_position) };
    const behind = !!head && position.commit < head.commit;
    const updatedAt = row.updated_at === null ? null : utc(row.updated_at);
    const failure = failureOf(row);
    return {
      name,
      condition:
        head === undefined && !failure
          ? 'unknown'
          : conditionOf(row.status, behind, updatedAt, failure, now),
      status: row.status,
      version: Number(row.version),
      position,
      ...(dense ? { lagEvents: Math.max(0, (head?.commit ?? 0) - position.commit) } : {}),
      updatedAt,
      failure,
    };
  });
  return { head, projections };
}

function conditionOf(
  status: 'live' | 'rebuilding',
  behind: boolean,
  updatedAt: Date | null,
  failure: ProjectionFailure | null,
  now: Date,
): ProjectionCondition {
  if (failure?.event && failure.attempts >= POISON_AFTER_ATTEMPTS) return 'failing';
  if (failure) return 'retrying';
  if (!behind) return status === 'rebuilding' ? 'rebuilding' : 'idle';
  if (!updatedAt || now.getTime() - updatedAt.getTime() > STUCK_AFTER_MS) return 'stuck';
  return status === 'rebuilding' ? 'rebuilding' : 'working';
}

/** One line an operator can act on. */
export function describeFailure(p: ProjectionOverview): string {
  const f = p.failure;
  if (!f) return '';
  const what = f.event
    ? `event ${f.event.id} (${f.event.type} in ${f.event.streamId})`
    : 'no event';
  return `${p.name}: ${what}, ${f.attempts} attempts: ${f.error}`;
}

/**
 * `/health`'s projections: each one's condition and lag. Red (503) when a projection cannot
 * apply an event: it names the projection, the event and the error. Lag alone, stuck or
 * not, stays a detail (a web process runs without workers in some deployments and tests).
 */
export function projectionLagCheck(
  sequelize: Sequelize,
  store: EventStore,
  names: () => string[],
): HealthCheck {
  return {
    name: 'projections',
    required: true,
    async check() {
      const { head, projections } = await projectionOverview(sequelize, store, names());
      const failing = projections.filter((p) => p.condition === 'failing');
      return {
        ok: failing.length === 0,
        head: head?.commit ?? 0,
        ...(failing.length > 0
          ? {
              error: `projection cannot apply an event: ${failing.map(describeFailure).join('; ')}`,
            }
          : {}),
        projections: Object.fromEntries(
          projections.map((p) => [
            p.name,
            {
              status: p.status,
              condition: p.condition,
              version: p.version,
              position: p.position?.commit ?? 0,
              ...(p.lagEvents !== undefined ? { lagEvents: p.lagEvents } : {}),
              ...(p.updatedAt ? { checkpointAt: p.updatedAt.toISOString() } : {}),
              ...(p.failure
                ? {
                    failure: {
                      eventId: p.failure.event?.id ?? null,
                      eventType: p.failure.event?.type ?? null,
                      stream: p.failure.event?.streamId ?? null,
                      error: p.failure.error,
                      attempts: p.failure.attempts,
                      since: p.failure.since.toISOString(),
                      nextRetryAt: p.failure.nextRetryAt?.toISOString() ?? null,
                    },
                  }
                : {}),
            },
          ]),
        ),
      };
    },
  };
}
