/**
 * The audit log on the MariaDB event store's own database: the data of an event with nothing
 * to hide is copied by MariaDB from the event's row instead of being sent again. The rows must
 * be the very rows the general path writes, secrets left out as before.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogProjection, redactedJson } from '../../projections/audit-log/index.js';
import type { NewEvent, RecordedEvent } from '../../src/application/ports/event-store.js';
import { CIPHERTEXT_PREFIX } from '../../src/application/ports/personal-data-cipher.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { eventsTableOf } from '../../src/infrastructure/eventstore/events-table.js';
import { MeteredEventStore } from '../../src/infrastructure/metrics/metered-event-store.js';
import { projectionTx } from '../../src/infrastructure/projections/checkpoints.js';
import { createTestDatabase } from '../support/mariadb.js';
import { jsonValues, propertySeed } from '../support/property.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let other: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;
let elsewhere: Sequelize;
let store: MariaDbEventStore;

beforeAll(async () => {
  db = await createTestDatabase('audit_copy');
  other = await createTestDatabase('audit_copy_other');
  store = await MariaDbEventStore.create(db.url);
  sequelize = createSequelize(db.url);
  elsewhere = createSequelize(other.url);
});
afterAll(async () => {
  await store?.close();
  await sequelize?.close();
  await elsewhere?.close();
  await db?.drop();
  await other?.drop();
});

const keys = fc.oneof(
  fc.constantFrom('token', 'password', 'name', 'description', 'userId', 'price'),
  fc.string({ maxLength: 6 }),
);
const values = fc.oneof(
  fc.string(),
  fc.constantFrom('Сыр «Российский» 45%', 'кавычки " и \\ обратная черта', '😀 ё', "O'Brien"),
  fc.string().map((s) => `${CIPHERTEXT_PREFIX}${s}`),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const data = jsonValues(values, keys, 3).map((value) => ({ userId: 'u-1', value }));
/** Metadata fields as commands write them, and odd ones: quotes, control characters, too long. */
const text = fc.oneof(
  fc.constantFrom('system', 'система', 'user:42', '😀', 'кавычка " внутри', 'O\\Brien', 'a\u0001b'),
  fc.string({ maxLength: 8 }),
  fc.string({ minLength: 300, maxLength: 300 }),
);
const field = fc.option(fc.oneof(text, fc.integer()), { nil: undefined });
const metadata = fc.record(
  {
    actor: fc.oneof(field, fc.constant(null)),
    correlationId: fc.oneof(fc.uuid().map(String), field),
    causationId: field,
    occurredAt: fc.oneof(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom('not a time', undefined),
    ),
    token: fc.constant('secret'),
  },
  { requiredKeys: ['correlationId'] },
);

/** The audit rows the projection writes, and how many of them MariaDB copied from events. */
async function auditRows(eventsTable: string | null, events: RecordedEvent[]) {
  await sequelize.query('DELETE FROM audit_log');
  let copiedRows = 0;
  await sequelize.transaction((t) => {
    const tx = projectionTx(sequelize, t, eventsTable);
    const query = tx.query.bind(tx);
    tx.query = (sql, replacements) => {
      if (/JOIN events e/.test(sql)) copiedRows += sql.split(' UNION ALL ').length;
      return query(sql, replacements) as never;
    };
    return auditLogProjection.handle(events, tx);
  });
  const rows = await sequelize.query('SELECT * FROM audit_log ORDER BY position', {
    type: QueryTypes.SELECT,
  });
  return { rows, copiedRows };
}

describe('audit log copied from the events table', () => {
  it('is used only where the events are rows of the same database', () => {
    expect(eventsTableOf(store, sequelize)).toBe('events');
    expect(eventsTableOf(store, elsewhere)).toBeNull();
    // The worker's store is the metered one around it.
    const metered = new MeteredEventStore(store, { countAppended: () => undefined } as never);
    expect(eventsTableOf(metered, sequelize)).toBe('events');
  });

  it('writes the same rows as the general path, whatever the events hold', async () => {
    const seed = propertySeed('AUDIT_COPY_SEED', 'audit copy');
    const sampled = fc.sample(fc.tuple(data, metadata), { seed, numRuns: 300 });
    // Each odd case at least once, with data that holds nothing to hide.
    const odd = [
      { actor: 'a'.repeat(300) },
      { actor: 'кавычка " внутри' },
      { actor: 'O\\Brien' },
      { actor: 42 },
      { actor: null },
      { actor: '😀' },
      { correlationId: 'x\u0001y' },
      { causationId: 'c'.repeat(300) },
      { occurredAt: 'not a time' },
      { token: 'secret' },
    ].map((meta, i) => [{ userId: 'u-1' }, { correlationId: `odd-${i}`, ...meta }] as const);
    const samples = [...sampled, ...odd];
    const stream = `audit-copy-${randomUUID()}`;
    await store.appendToStream(
      stream,
      samples.map(([sample, meta], i) => ({
        id: randomUUID(),
        type: i % 7 === 0 ? 'TokenSaved' : 'ProductAdded',
        data: sample,
        // Most events carry plain metadata, as commands write it; the rest anything.
        metadata:
          i % 3 === 0 || i >= sampled.length
            ? // odd on purpose: what a command never writes must still be logged as it is
              (meta as unknown as NewEvent['metadata'])
            : {
                actor: i % 5 === 0 ? 'система' : 'system',
                correlationId: `c-${i}`,
                occurredAt: new Date(Date.UTC(2026, 10, 28, 12, 0, i % 60, i)).toISOString(),
                ...(i % 2 === 0 ? { causationId: `cause-${i}` } : {}),
              },
      })),
    );
    const events = await store.readStream(stream);
    // Both kinds are there: events with something to hide (the general path) and without.
    const hiding = events.filter((e) => redactedJson(e.data) !== JSON.stringify(e.data));
    expect(hiding.length).toBeGreaterThan(0);
    expect(hiding.length).toBeLessThan(events.length);

    const general = await auditRows(null, events);
    const { rows: copied, copiedRows } = await auditRows('events', events);
    expect(general.copiedRows).toBe(0);
    expect(copied).toHaveLength(samples.length);
    expect(copied).toEqual(general.rows);
    // Most rows were copied by MariaDB; the rest (secrets, odd metadata) took the general path.
    expect(copiedRows).toBeGreaterThan(samples.length / 3);
    expect(copiedRows).toBeLessThan(samples.length);
    // The secrets stay out on both paths: each row is the redacted copy.
    for (const row of copied as Array<{ data: string }>) {
      expect(row.data).not.toContain(CIPHERTEXT_PREFIX);
      expect(JSON.parse(row.data)).not.toHaveProperty('value.token');
    }
  });
});
