import { isCiphertext } from '../../src/application/ports/personal-data-cipher.js';
import type { Projection, ProjectionTx } from '../../src/application/projections/projection.js';
import {
  columnLimits,
  fitKey,
  fitText,
  type ColumnLimit,
} from '../../src/infrastructure/projections/column-fit.js';
import { sqlLiteral, type SqlCell } from '../../src/infrastructure/db/sql-literal.js';

/** Keys whose values are secrets in any module's events (hashes of tokens included). */
const SECRET_KEYS = new Set([
  'password',
  'passwordHash',
  'token',
  'tokenHash',
  'accessToken',
  'access_token',
  'apiToken',
  'api_token',
  'secret',
  'authorization',
]);

export const ENCRYPTED_PLACEHOLDER = '[зашифровано]';

/** True when `value` holds a secret key or a ciphertext anywhere (no copy is made to tell). */
function holdsSecrets(value: unknown): boolean {
  if (isCiphertext(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecrets);
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) || holdsSecrets(v)) return true;
    }
  }
  return false;
}

/**
 * The JSON the audit log keeps of an event's data or metadata. Every event passes here, and
 * most hold nothing to hide: those are serialised as they are rather than copied first.
 */
export function redactedJson(value: unknown): string {
  return redacted(value).json;
}

/** redactedJson, and whether it is the value's own JSON (nothing was left out). */
function redacted(value: unknown): { json: string; whole: boolean } {
  const whole = !holdsSecrets(value);
  return { json: JSON.stringify(whole ? value : redactEventData(value)), whole };
}

/** A copy of an event's data without secrets and with every ciphertext replaced. */
export function redactEventData(value: unknown): unknown {
  if (isCiphertext(value)) return ENCRYPTED_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redactEventData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_KEYS.has(key))
        .map(([key, v]) => [key, redactEventData(v)]),
    );
  }
  return value;
}

/** Rows per INSERT, and the size of one: well under MariaDB's default 16 MB packet. */
const ROWS_PER_INSERT = 500;
const BYTES_PER_INSERT = 4 * 1024 * 1024;
/** Every column but `data`, in the order of each row's values. */
const SCALARS = [
  'event_id',
  'position',
  'prepare',
  'stream_id',
  'revision',
  'type',
  'actor',
  'correlation_id',
  'causation_id',
  'occurred_at',
  'metadata',
];

export const auditLogProjection: Projection = {
  name: 'audit-log',
  version: 1,
  eventTypes: ['*'],
  tables: ['audit_log'],
  async handle(events, tx) {
    const limits = await columnLimits(tx, 'audit_log');
    const text = (column: string, value: unknown) =>
      value == null ? null : fitText(String(value), limits.get(column));
    // Every event of the store passes here: one multi-row statement per batch, not one each.
    let rows: SqlCell[][] = [];
    let chars = 0;
    const flush = async () => {
      await tx.insertRows(
        `INSERT IGNORE INTO audit_log (${SCALARS.join(', ')}, data) VALUES ?`,
        rows,
      );
      rows = [];
      chars = 0;
    };
    // Events whose row MariaDB can copy: only their position and time are sent.
    const copied: Array<{ position: number; occurred: Date }> = [];
    for (const e of events) {
      const meta = e.metadata;
      const parsed = new Date(String(meta.occurredAt ?? e.created.toISOString()));
      const occurred = Number.isNaN(parsed.getTime()) ? e.created : parsed;
      const metaJson = redacted(meta);
      const metadata = fitJson(metaJson.json, limits.get('metadata'));
      const streamId = fitKey(e.streamId, limits.get('stream_id'));
      const type = fitKey(e.type, limits.get('type'));
      const actor = text('actor', meta.actor ?? 'unknown');
      const correlationId = text('correlation_id', meta.correlationId);
      const causationId = text('causation_id', meta.causationId);
      // MariaDB can copy the row when it would derive the same columns from the event's own
      // row: nothing hidden or cut, and actor, correlation and causation plain text.
      const copyable =
        tx.eventsTable &&
        metaJson.whole &&
        metadata === metaJson.json &&
        e.position.prepare === e.position.commit &&
        streamId === e.streamId &&
        type === e.type &&
        derivable(meta.actor, actor, 'unknown') &&
        derivable(meta.correlationId, correlationId, null) &&
        derivable(meta.causationId, causationId, null) &&
        !holdsSecrets(e.data);
      if (copyable) {
        copied.push({ position: e.position.commit, occurred });
        continue;
      }
      const values: SqlCell[] = [
        e.id,
        e.position.commit,
        e.position.prepare,
        streamId,
        e.revision,
        type,
        actor,
        correlationId,
        causationId,
        occurred,
        metadata,
      ];
      const data = fitJson(redactedJson(e.data), limits.get('data'));
      // UTF-16 length × 3 bounds the escaped UTF-8 size of Cyrillic and most other text.
      const size = (data.length + metadata.length) * 3 + 300;
      if (rows.length >= ROWS_PER_INSERT || (rows.length > 0 && chars + size > BYTES_PER_INSERT)) {
        await flush();
      }
      rows.push([...values, data]);
      chars += size;
    }
    await flush();
    for (let i = 0; i < copied.length; i += ROWS_PER_INSERT)
      await copyRows(tx, tx.eventsTable!, copied.slice(i, i + ROWS_PER_INSERT), limits.get('data'));
  },
};

/**
 * Text MariaDB's JSON_VALUE gives back as it is: nothing JSON.stringify escapes (the quote, the
 * backslash, control characters, surrogates), so there is nothing to unescape.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it must not hold
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
/**
 * Whether JSON_VALUE of the metadata's `value` (COALESCE'd to `absent`) gives the column's
 * `written` text: the value is plain text or absent, and nothing was cut or changed.
 */
const derivable = (value: unknown, written: string | null, absent: string | null) =>
  (value === undefined || value === null || (typeof value === 'string' && PLAIN.test(value))) &&
  written === (value ?? absent);

/**
 * Inserts the audit rows of events whose row MariaDB can copy (see handle), taking every
 * column but the time from the event's own row: the statement carries a position and a time
 * per row instead of the row. A `data` too long for its column becomes a note, as fitJson's.
 */
async function copyRows(
  tx: ProjectionTx,
  eventsTable: string,
  rows: Array<{ position: number; occurred: Date }>,
  limit: ColumnLimit | undefined,
): Promise<void> {
  const selects = rows.map(({ position, occurred }, i) =>
    i === 0
      ? `SELECT ${sqlLiteral(position)} AS position, ${sqlLiteral(occurred)} AS occurred_at`
      : `SELECT ${sqlLiteral(position)}, ${sqlLiteral(occurred)}`,
  );
  const data =
    limit?.bytes === undefined
      ? 'e.data'
      : `CASE WHEN LENGTH(e.data) <= ${limit.bytes} THEN e.data ELSE JSON_OBJECT('truncated',
           TRUE, 'bytes', LENGTH(e.data), 'preview', LEFT(e.data, 1000)) END`;
  await tx.query(
    `INSERT IGNORE INTO audit_log (${SCALARS.join(', ')}, data)
     SELECT e.event_id, e.position, e.position, e.stream_id, e.revision, e.type,
       COALESCE(JSON_VALUE(e.metadata, '$.actor'), 'unknown'),
       JSON_VALUE(e.metadata, '$.correlationId'), JSON_VALUE(e.metadata, '$.causationId'),
       v.occurred_at, e.metadata, ${data}
     FROM (${selects.join(' UNION ALL ')}) AS v JOIN ${eventsTable} e ON e.position = v.position`,
  );
}

/**
 * The audit pages parse these columns as JSON, so a value too long for its column is replaced
 * by a JSON note with the start of it rather than cut mid-token. The event keeps it whole.
 */
export function fitJson(json: string, limit: ColumnLimit | undefined): string {
  if (fitText(json, limit) === json) return json;
  const note = (preview: string) =>
    JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json), preview });
  // The preview is escaped again inside the note: half the column leaves room for that.
  const half = limit && {
    ...(limit.chars ? { chars: Math.floor(limit.chars / 2) } : {}),
    ...(limit.bytes ? { bytes: Math.floor(limit.bytes / 2) } : {}),
  };
  let preview = fitText(json, half);
  while (fitText(note(preview), limit) !== note(preview))
    preview = fitText(preview, { chars: Math.floor(Array.from(preview).length / 2) });
  return note(preview);
}
