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
import { newEvent as contractEvent } from '../contract/event-store.contract-helpers.js';
import { product as domainProduct } from '../domain/catalog/fixtures.js';

export function newEvent(type: string, data: unknown): NewEvent {
  return contractEvent(type, data, { actor: 'test' });
}

/** The domain tests' product, with the article, code and barcode the tables index. */
export function product(id: string, overrides: Partial<CatalogProduct> = {}): CatalogProduct {
  return domainProduct(id, {
    tax: 'VAT_20',
    articleNumber: `A-${id}`,
    code: id,
    barcodes: [`460${id.padStart(10, '0')}`],
    ...overrides,
  });
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
