import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import {
  foldRows,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';

const table: KeyedTable = {
  table: 'sync_push_progress',
  key: ['user_id'],
  columns: [
    'push_id',
    'started_at',
    'planned_create',
    'planned_update',
    'planned_hide',
    'planned_delete',
    'done',
    'failed',
    'first_outcome_at',
    'last_outcome_at',
    'finished_at',
    'outcome',
  ],
};

/** The item outcomes a push's plan counts: one per planned operation (failures included). */
export const ITEM_OUTCOMES = [
  'VkItemCreated',
  'VkItemAdopted',
  'VkItemCreateAbandoned',
  'VkItemUpdated',
  'VkItemHidden',
  'VkItemDeleted',
  'VkItemRestored',
  'VkCommandFailed',
] as const;

const TIMES = ['started_at', 'first_outcome_at', 'last_outcome_at', 'finished_at'];

/**
 * One row per user, written only by the user's mirror stream (so its revision guards it). One
 * push writes that stream at a time (a second one stops, superseded), so the outcomes between
 * a VkPushStarted and its VkPushFinished are that push's.
 */
function change(event: RecordedEvent): RowChange | null {
  const e = event as unknown as MirrorEvent;
  const at = sqlTime(event.created);
  return {
    key: [e.data.userId],
    revision: event.revision,
    apply: (loaded) => {
      if (e.type === 'VkPushStarted') {
        const { pushId, planned } = e.data;
        return {
          push_id: pushId,
          started_at: at,
          planned_create: planned.create,
          planned_update: planned.update,
          planned_hide: planned.hide,
          planned_delete: planned.delete,
          done: 0,
          failed: 0,
          first_outcome_at: null,
          last_outcome_at: null,
          finished_at: null,
          outcome: null,
        };
      }
      if (!loaded || loaded.finished_at != null) return null;
      const row: Row = { ...loaded };
      for (const t of TIMES) row[t] = sqlTime(row[t]);
      if (e.type === 'VkPushFinished') {
        if (e.data.pushId !== row.push_id) return null;
        return { ...row, finished_at: at, outcome: e.data.outcome };
      }
      // An album's failure is no item of the plan.
      if (e.type === 'VkCommandFailed' && e.data.productId === undefined) return null;
      return {
        ...row,
        done: Number(row.done) + 1,
        failed: Number(row.failed) + (e.type === 'VkCommandFailed' ? 1 : 0),
        first_outcome_at: row.first_outcome_at ?? at,
        last_outcome_at: at,
      };
    },
  };
}

const present = <T>(c: T | null): c is T => c !== null;

export const syncProgress: Projection = {
  name: 'sync-progress',
  version: 1,
  eventTypes: ['VkPushStarted', 'VkPushFinished', ...ITEM_OUTCOMES],
  tables: ['sync_push_progress'],
  async handle(events, tx) {
    await foldRows(tx, table, events.map(change).filter(present));
  },
};
