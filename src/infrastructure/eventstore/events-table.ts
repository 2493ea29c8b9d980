import type { Sequelize } from 'sequelize';
import type { EventStore } from '../../application/ports/event-store.js';

/** A store whose events are rows of an SQL table (the MariaDB store, or a wrapper of it). */
export interface EventsTable {
  /** the table's name when `sequelize` reaches the store's database, else null */
  eventsTableFor(sequelize: Sequelize): string | null;
}

/**
 * The table the store's events are rows of in `sequelize`'s database (the MariaDB store on the
 * read tables' database), else null: see ProjectionTx.eventsTable.
 */
export function eventsTableOf(store: EventStore, sequelize: Sequelize): string | null {
  return (store as EventStore & Partial<EventsTable>).eventsTableFor?.(sequelize) ?? null;
}
