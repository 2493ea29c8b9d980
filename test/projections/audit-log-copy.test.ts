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
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
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

async function auditRows(eventsTable: string | null, events: RecordedEvent[]) {
  await sequelize.query('DELETE FROM audit_log');
  await sequelize.transaction((t) =>
    auditLogProjection.handle(events, projectionTx(sequelize, t, eventsTable)),
  );
  return sequelize.query('SELECT * FROM audit_log ORDER BY position', { type: QueryTypes.SELECT });
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
    const samples = fc.sample(data, { seed, numRuns: 300 });
    const stream = `audit-copy-${randomUUID()}`;
    await store.appendToStream(
      stream,
      samples.map((sample, i) => ({
        id: randomUUID(),
        type: i % 7 === 0 ? 'TokenSaved' : 'ProductAdded',
        data: sample,
        metadata: {
          actor: i % 5 === 0 ? 'система' : 'system',
          correlationId: `c-${i}`,
          occurredAt: new Date(Date.UTC(2026, 10, 28, 12, 0, i % 60, i)).toISOString(),
          ...(i % 3 === 0 ? { causationId: `cause-${i}` } : {}),
        },
      })),
    );
    const events = await store.readStream(stream);
    // Both kinds are there: events with something to hide (the general path) and without.
    const hiding = events.filter((e) => redactedJson(e.data) !== JSON.stringify(e.data));
    expect(hiding.length).toBeGreaterThan(0);
    expect(hiding.length).toBeLessThan(events.length);

    const general = await auditRows(null, events);
    const copied = await auditRows('events', events);
    expect(copied).toHaveLength(samples.length);
    expect(copied).toEqual(general);
    // The secrets stay out on both paths: each row is the redacted copy.
    for (const row of copied as Array<{ data: string }>) {
      expect(row.data).not.toContain(CIPHERTEXT_PREFIX);
      expect(JSON.parse(row.data)).not.toHaveProperty('value.token');
    }
  });
});
