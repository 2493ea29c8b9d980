import {
  EventStoreUnavailableError,
  type EventFilter,
  type NewEvent,
  type RecordedEvent,
} from '../../../application/ports/event-store.js';
import { ConnectionError } from 'sequelize';
import type { SqlCell } from '../../db/sql-literal.js';

export const EVENT_COLUMNS =
  'position, stream_id, revision, event_id, type, data, metadata, created';

/**
 * EVENT_COLUMNS as the reads select them: `created` as text (UTC, as every DATETIME here),
 * which toRecorded turns into a Date itself, so Sequelize's per-cell date parsing (moment)
 * stays out of every event read; it was a tenth of a replay's time.
 */
export const SELECTED_EVENT_COLUMNS =
  'position, stream_id, revision, event_id, type, data, metadata, CAST(created AS CHAR) AS created';

export interface EventRow {
  position: number | string;
  stream_id: string;
  revision: number | string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created: Date | string;
}

export function toRecorded(row: EventRow): RecordedEvent {
  const position = Number(row.position);
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: { commit: position, prepare: position },
    created: row.created instanceof Date ? row.created : new Date(`${row.created}Z`),
  };
}

/** A row read, with the length of its JSON (what EventCache's memory bound counts). */
export function toCached(row: EventRow): { event: RecordedEvent; size: number } {
  return { event: toRecorded(row), size: row.data.length + row.metadata.length };
}

/**
 * The event a row of the multi-row INSERT (insertValues) becomes once committed, as a read of
 * it would return it: its JSON parsed again, so it shares no object with the appender's.
 */
export function recordedFromValues(values: readonly SqlCell[]): {
  event: RecordedEvent;
  size: number;
} {
  const [position, streamId, revision, id, type, data, metadata, created] = values as [
    number,
    string,
    number,
    string,
    string,
    string,
    string,
    Date,
  ];
  return {
    event: {
      id,
      type,
      data: JSON.parse(data) as unknown,
      metadata: JSON.parse(metadata) as RecordedEvent['metadata'],
      streamId,
      revision,
      position: { commit: position, prepare: position },
      created,
    },
    size: data.length + metadata.length,
  };
}

/** One row of the multi-row INSERT, in EVENT_COLUMNS order. */
export function insertValues(
  event: NewEvent,
  streamId: string,
  revision: number,
  position: number,
  created: Date,
): SqlCell[] {
  return [
    position,
    streamId,
    revision,
    event.id,
    event.type,
    JSON.stringify(event.data ?? null),
    JSON.stringify(event.metadata),
    created,
  ];
}

function escapeLike(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The SQL part of a filter: prefixes become `LIKE 'p%'` (sargable); a regex is left to
 * JavaScript (MariaDB's PCRE and JavaScript regexes differ in corners), so `exact` is false.
 */
export function filterSql(filter: EventFilter | undefined): {
  sql: string;
  params: unknown[];
  exact: boolean;
} {
  if (!filter) return { sql: '', params: [], exact: true };
  if (!('prefixes' in filter)) return { sql: '', params: [], exact: false };
  const column = filter.on === 'streamName' ? 'stream_id' : 'type';
  if (filter.prefixes.length === 0) return { sql: ' AND FALSE', params: [], exact: true };
  return {
    sql: ` AND (${filter.prefixes.map(() => `${column} LIKE ?`).join(' OR ')})`,
    params: filter.prefixes.map((p) => `${escapeLike(p)}%`),
    exact: true,
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);

/** True for errors that mean "the database cannot be reached", not "this query was wrong". */
export function isConnectionFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof ConnectionError) return true;
    const { code, fatal } = e as { code?: unknown; fatal?: unknown };
    if (fatal === true || (typeof code === 'string' && NETWORK_CODES.has(code))) return true;
    const next = e as { parent?: unknown; original?: unknown; cause?: unknown };
    e = next.parent ?? next.original ?? next.cause;
  }
  return false;
}

export function unavailable(error: unknown): unknown {
  if (!isConnectionFailure(error) || error instanceof EventStoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`MariaDB event store unavailable: ${message}`, {
    cause: error,
  });
}
