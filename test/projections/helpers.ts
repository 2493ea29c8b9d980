import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import type {
  EventStore,
  NewEvent,
  RecordedEvent,
} from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { CatalogProduct } from '../../src/domain/catalog/events.js';
import { projectionTx } from '../../src/infrastructure/projections/checkpoints.js';

export function newEvent(type: string, data: unknown): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { actor: 'test', correlationId: randomUUID(), occurredAt: new Date().toISOString() },
  };
}

export function product(id: string, overrides: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    id,
    groupId: null,
    name: `Товар ${id}`,
    productType: 'NORMAL',
    priceKopecks: 10_000,
    costPriceKopecks: 6_000,
    quantityMilli: 5_000,
    measureName: 'шт',
    tax: 'VAT_20',
    allowToSell: true,
    description: '',
    articleNumber: `A-${id}`,
    code: id,
    barcodes: [`460${id.padStart(10, '0')}`],
    ...overrides,
  };
}

/** Runs the projection's handler over `events` in one transaction (no checkpoint). */
export async function handleOnce(
  sequelize: Sequelize,
  projection: Projection,
  events: RecordedEvent[],
): Promise<void> {
  const types = new Set(projection.eventTypes);
  await sequelize.transaction(async (t) =>
    projection.handle(
      events.filter((e) => types.has(e.type)),
      projectionTx(sequelize, t),
    ),
  );
}

/** Every row of every table of the projections, ordered, for comparing two builds. */
export async function dumpTables(
  sequelize: Sequelize,
  projections: Projection[],
): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const p of projections) {
    for (const table of p.tables) {
      dump[table] = await sequelize.query(`SELECT * FROM ${table}`, { type: QueryTypes.SELECT });
      dump[table].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
  }
  return dump;
}

export async function readAllEvents(store: EventStore): Promise<RecordedEvent[]> {
  return store.readAll();
}
