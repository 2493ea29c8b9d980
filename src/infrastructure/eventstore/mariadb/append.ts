import type { Connection as PromiseConnection } from 'mysql2/promise';
import {
  expectedRevisionHolds,
  WrongExpectedVersionError,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '../../../application/ports/event-store.js';
import { retriedAppend } from '../memory/memory-event-store.js';
import { sqlTuples, type SqlCell } from '../../db/sql-literal.js';
import { EVENT_COLUMNS, insertValues } from './event-rows.js';

export interface AppendItem {
  streamId: string;
  events: NewEvent[];
  expectedRevision?: ExpectedRevision;
}

/**
 * An append refused before it wrote anything (its expected revision, an event id recorded in
 * another place): `reason` is the error for its caller, and a transaction it ran in is intact.
 */
export class AppendRefusedError extends Error {
  constructor(readonly reason: Error) {
    super(reason.message);
    this.name = 'AppendRefusedError';
  }
}

/** Rows per INSERT and bytes per INSERT: well under MariaDB's default 16 MB packet. */
const ROWS_PER_INSERT = 1000;
const BYTES_PER_INSERT = 4 * 1024 * 1024;
const IDS_PER_LOOKUP = 1000;

interface ExistingRow {
  event_id: string;
  stream_id: string;
  revision: number | string;
  position: number | string;
}

/**
 * Writes `items` on `c`, which must already hold the append lock inside an open transaction:
 * positions continue from MAX(position), so they are only unique and gap-free in commit order
 * because no other appender can run between this read and the commit.
 */
export async function appendLocked(
  c: PromiseConnection,
  items: AppendItem[],
): Promise<{
  results: AppendResult[];
  /** the highest position before this append's rows */
  head: number;
  /** the rows inserted, in position order (insertValues' columns) */
  rows: SqlCell[][];
}> {
  const streamIds = [...new Set(items.map((i) => i.streamId))];
  const eventIds = items.flatMap((i) => i.events.map((e) => e.id));
  const { revisions, existing, head: before } = await readState(c, streamIds, eventIds);
  let head = before;

  const created = new Date();
  const rows: SqlCell[][] = [];
  const results: AppendResult[] = [];
  for (const item of items) {
    const current = revisions.get(item.streamId) ?? -1;
    const retried = retry(item, current, existing);
    if (retried) {
      results.push(retried);
      continue;
    }
    const duplicate = item.events.find((e) => existing.has(e.id));
    if (duplicate) {
      const at = existing.get(duplicate.id)!;
      throw new AppendRefusedError(
        new Error(
          `Event ${duplicate.id} is already in stream ${at.stream_id} at revision ${at.revision}`,
        ),
      );
    }
    const expected = item.expectedRevision ?? 'any';
    if (!expectedRevisionHolds(expected, current)) {
      throw new AppendRefusedError(
        new WrongExpectedVersionError(
          item.streamId,
          expected,
          current === -1 ? 'no_stream' : current,
        ),
      );
    }
    let revision = current;
    for (const event of item.events) {
      rows.push(insertValues(event, item.streamId, ++revision, ++head, created));
    }
    revisions.set(item.streamId, revision);
    results.push({
      nextExpectedRevision: revision,
      position:
        item.events.length > 0
          ? { commit: head, prepare: head }
          : await lastPosition(c, item.streamId, revision),
    });
  }
  await insertRows(c, rows);
  return { results, head: before, rows };
}

/** The original result when the item's events are exactly the stream's last events. */
function retry(
  item: AppendItem,
  current: number,
  existing: Map<string, ExistingRow>,
): AppendResult | null {
  const n = item.events.length;
  if (n === 0 || current + 1 < n || !item.events.every((e) => existing.has(e.id))) return null;
  const tail = item.events.map((e): RecordedEvent => {
    const row = existing.get(e.id)!;
    const position = Number(row.position);
    return {
      ...e,
      streamId: row.stream_id,
      revision: Number(row.revision),
      position: { commit: position, prepare: position },
      created: new Date(0),
    };
  });
  const inPlace = tail.every(
    (e, i) => e.streamId === item.streamId && e.revision === current - n + 1 + i,
  );
  return inPlace ? retriedAppend(tail, item.events) : null;
}

/**
 * What an append checks before it inserts: the streams' revisions, the event ids already
 * recorded and the highest position. A group of appends (up to 1,000 streams and event ids,
 * nearly always) asks in one statement instead of three round trips under the append lock.
 */
async function readState(
  c: PromiseConnection,
  streamIds: string[],
  eventIds: string[],
): Promise<{ revisions: Map<string, number>; existing: Map<string, ExistingRow>; head: number }> {
  if (streamIds.length > IDS_PER_LOOKUP || eventIds.length > IDS_PER_LOOKUP) {
    const revisions = await currentRevisions(c, streamIds);
    const existing = await existingEvents(c, eventIds);
    const [[row]] = (await c.query('SELECT COALESCE(MAX(position), 0) AS head FROM events')) as [
      Array<{ head: number | string }>,
      unknown,
    ];
    return { revisions, existing, head: Number(row?.head ?? 0) };
  }
  const parts: string[] = [];
  const params: unknown[] = [];
  if (streamIds.length > 0) {
    parts.push(`SELECT 'r' AS k, NULL AS event_id, stream_id, MAX(revision) AS revision,
      NULL AS position FROM events WHERE stream_id IN (?) GROUP BY stream_id`);
    params.push(streamIds);
  }
  if (eventIds.length > 0) {
    parts.push(`SELECT 'e', event_id, stream_id, revision, position FROM events
      WHERE event_id IN (?)`);
    params.push(eventIds);
  }
  parts.push(`SELECT 'h', NULL, NULL, NULL, COALESCE(MAX(position), 0) FROM events`);
  const [rows] = (await c.query(parts.join(' UNION ALL '), params)) as [
    Array<ExistingRow & { k: string }>,
    unknown,
  ];
  const revisions = new Map<string, number>();
  const existing = new Map<string, ExistingRow>();
  let head = 0;
  for (const { k, ...row } of rows) {
    if (k === 'r') revisions.set(row.stream_id, Number(row.revision));
    else if (k === 'e') existing.set(row.event_id, row);
    else head = Number(row.position);
  }
  return { revisions, existing, head };
}

async function currentRevisions(
  c: PromiseConnection,
  streamIds: string[],
): Promise<Map<string, number>> {
  const revisions = new Map<string, number>();
  for (let i = 0; i < streamIds.length; i += IDS_PER_LOOKUP) {
    const chunk = streamIds.slice(i, i + IDS_PER_LOOKUP);
    const [rows] = (await c.query(
      `SELECT stream_id, MAX(revision) AS revision FROM events
       WHERE stream_id IN (?) GROUP BY stream_id`,
      [chunk],
    )) as [Array<{ stream_id: string; revision: number | string }>, unknown];
    for (const row of rows) revisions.set(row.stream_id, Number(row.revision));
  }
  return revisions;
}

async function existingEvents(
  c: PromiseConnection,
  eventIds: string[],
): Promise<Map<string, ExistingRow>> {
  const existing = new Map<string, ExistingRow>();
  for (let i = 0; i < eventIds.length; i += IDS_PER_LOOKUP) {
    const [rows] = (await c.query(
      'SELECT event_id, stream_id, revision, position FROM events WHERE event_id IN (?)',
      [eventIds.slice(i, i + IDS_PER_LOOKUP)],
    )) as [ExistingRow[], unknown];
    for (const row of rows) existing.set(row.event_id, row);
  }
  return existing;
}

async function lastPosition(c: PromiseConnection, streamId: string, revision: number) {
  if (revision < 0) return { commit: 0, prepare: 0 };
  const [rows] = (await c.query(
    'SELECT position FROM events WHERE stream_id = ? AND revision = ?',
    [streamId, revision],
  )) as [Array<{ position: number | string }>, unknown];
  const position = Number(rows[0]?.position ?? 0);
  return { commit: position, prepare: position };
}

async function insertRows(c: PromiseConnection, rows: SqlCell[][]): Promise<void> {
  let chunk: SqlCell[][] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await c.query(`INSERT INTO events (${EVENT_COLUMNS}) VALUES ${sqlTuples(chunk)}`);
    chunk = [];
    bytes = 0;
  };
  for (const row of rows) {
    // UTF-16 length × 3 bounds the escaped UTF-8 size of Cyrillic and most other text.
    const size = ((row[5] as string).length + (row[6] as string).length) * 3 + 200;
    if (chunk.length >= ROWS_PER_INSERT || (chunk.length > 0 && bytes + size > BYTES_PER_INSERT))
      await flush();
    chunk.push(row);
    bytes += size;
  }
  await flush();
}
