import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import type {
  KeyedTable,
  Row,
  RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';

/** Outcome events and the running total each one adds to. */
const COUNTER: Partial<Record<MirrorEvent['type'], string>> = {
  VkItemCreated: 'created',
  VkItemAdopted: 'adopted',
  VkItemUpdated: 'updated',
  VkItemHidden: 'hidden',
  VkItemDeleted: 'deleted',
  VkItemRestored: 'restored',
  VkCommandFailed: 'failed',
};

const COUNTERS = ['created', 'adopted', 'updated', 'hidden', 'deleted', 'restored', 'failed'];
const TIMES = ['paused_at', 'last_failure_at', 'last_event_at'];

export const statusTable: KeyedTable = {
  table: 'vk_mirror_status',
  key: ['user_id'],
  columns: [
    'paused',
    'paused_at',
    'captcha_sid',
    'captcha_img',
    'last_failure_at',
    'last_failure_method',
    'last_failure_code',
    'last_failure_message',
    ...COUNTERS,
    'last_event_at',
  ],
};

const EMPTY: Row = {
  paused: 0,
  paused_at: null,
  captcha_sid: null,
  captcha_img: null,
  last_failure_at: null,
  last_failure_method: null,
  last_failure_code: null,
  last_failure_message: null,
  ...Object.fromEntries(COUNTERS.map((c) => [c, 0])),
  last_event_at: null,
};

/**
 * Every event of the user's mirror stream passes through the status row, so its
 * `last_revision` is the stream's and a counter can never count the same event twice.
 */
export function statusChange(event: RecordedEvent): RowChange {
  const e = event as unknown as MirrorEvent;
  return {
    key: [e.data.userId],
    revision: event.revision,
    apply: (loaded) => {
      const row: Row = { ...EMPTY, ...loaded };
      for (const t of TIMES) row[t] = sqlTime(row[t]);
      row.last_event_at = sqlTime(event.created);
      const counter = COUNTER[e.type];
      if (counter) row[counter] = Number(row[counter] ?? 0) + 1;
      if (e.type === 'VkCommandFailed') {
        row.last_failure_at = sqlTime(event.created);
        row.last_failure_method = e.data.method;
        row.last_failure_code = e.data.errorCode;
        row.last_failure_message = e.data.message;
      } else if (e.type === 'VkPushPaused') {
        row.paused = 1;
        row.paused_at = sqlTime(event.created);
        row.captcha_sid = e.data.captchaSid;
        row.captcha_img = e.data.captchaImg;
      } else if (e.type === 'VkPushResumed') {
        row.paused = 0;
        row.captcha_sid = null;
        row.captcha_img = null;
      }
      return row;
    },
  };
}
