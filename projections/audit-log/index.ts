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
  return JSON.stringify(holdsSecrets(value) ? redactEventData(value) : value);
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
    // Events whose data holds nothing to hide, when their rows are in this database too: the
    // data is copied there by MariaDB, not sent back (the largest part of the statement).
    const copied: SqlCell[][] = [];
    for (const e of events) {
      const meta = e.metadata;
      const occurred = new Date(String(meta.occurredAt ?? e.created.toISOString()));
      const metadata = fitJson(redactedJson(meta), limits.get('metadata'));
      const values: SqlCell[] = [
        e.id,
        e.position.commit,
        e.position.prepare,
        fitKey(e.streamId, limits.get('stream_id')),
        e.revision,
        fitKey(e.type, limits.get('type')),
        text('actor', meta.actor ?? 'unknown'),
        text('correlation_id', meta.correlationId),
        text('causation_id', meta.causationId),
        Number.isNaN(occurred.getTime()) ? e.created : occurred,
        metadata,
      ];
      if (tx.eventsTable && !holdsSecrets(e.data)) {
        copied.push(values);
        continue;
      }
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
      await copyData(tx, tx.eventsTable!, copied.slice(i, i + ROWS_PER_INSERT), limits.get('data'));
  },
};

/**
 * Inserts audit rows whose `data` MariaDB takes from the event's own row (same JSON: the event
 * holds no secret to leave out). A value too long for the column becomes a note, as fitJson's.
 */
async function copyData(
  tx: ProjectionTx,
  eventsTable: string,
  rows: SqlCell[][],
  limit: ColumnLimit | undefined,
): Promise<void> {
  // Every value a literal, the time as DATETIME text.
  const literal = sqlLiteral;
  const selects = rows.map((values, i) =>
    i === 0
      ? `SELECT ${values.map((v, k) => `${literal(v)} AS ${SCALARS[k]}`).join(', ')}`
      : `SELECT ${values.map(literal).join(', ')}`,
  );
  const data =
    limit?.bytes === undefined
      ? 'e.data'
      : `CASE WHEN LENGTH(e.data) <= ${limit.bytes} THEN e.data ELSE JSON_OBJECT('truncated',
           TRUE, 'bytes', LENGTH(e.data), 'preview', LEFT(e.data, 1000)) END`;
  await tx.query(
    `INSERT IGNORE INTO audit_log (${SCALARS.join(', ')}, data)
     SELECT v.*, ${data} FROM (${selects.join(' UNION ALL ')}) AS v
       JOIN ${eventsTable} e ON e.position = v.position`,
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
