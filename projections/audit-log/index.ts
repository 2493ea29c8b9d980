import { isCiphertext } from '../../src/application/ports/personal-data-cipher.js';
import type { Projection } from '../../src/application/projections/projection.js';

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

export const auditLogProjection: Projection = {
  name: 'audit-log',
  version: 1,
  eventTypes: ['*'],
  tables: ['audit_log'],
  async handle(events, tx) {
    for (const e of events) {
      const meta = e.metadata;
      const occurred = new Date(String(meta.occurredAt ?? e.created.toISOString()));
      await tx.query(
        `INSERT IGNORE INTO audit_log (event_id, position, prepare, stream_id, revision, type, actor,
           correlation_id, causation_id, occurred_at, data, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          e.id,
          e.position.commit,
          e.position.prepare,
          e.streamId,
          e.revision,
          e.type,
          String(meta.actor ?? 'unknown').slice(0, 64),
          meta.correlationId ?? null,
          meta.causationId ?? null,
          Number.isNaN(occurred.getTime()) ? e.created : occurred,
          JSON.stringify(redactEventData(e.data)),
          JSON.stringify(redactEventData(meta)),
        ],
      );
    }
  },
};
