import type { Sequelize, Transaction } from 'sequelize';
import type { RecordedEvent } from '../ports/event-store.js';

/**
 * What a projection's handler gets: the transaction in which the runner will also write the
 * checkpoint. Handlers write only through it, so a failing batch leaves no trace.
 */
export interface ProjectionTx {
  sequelize: Sequelize;
  transaction: Transaction;
  /** `?` placeholders; returns the rows of a SELECT (or the driver's result for other statements) */
  query<T = Record<string, unknown>>(sql: string, replacements?: unknown[]): Promise<T[]>;
  /**
   * A multi-row INSERT: `sql` ends in `VALUES ?` (an `ON DUPLICATE KEY UPDATE …` may follow),
   * `rows` are its tuples. For batches of hundreds of rows, whose statement text is too long
   * to go through `query` cheaply.
   */
  insertRows(sql: string, rows: Array<Array<string | number | null | Date>>): Promise<void>;
  /**
   * Set when the events of the batch are also rows of this table in the same database (the
   * MariaDB event store on the read tables' database): a projection that copies an event's data
   * may take it from there instead of sending it back again. Columns: `position`, `data`.
   */
  eventsTable?: string;
}

/**
 * A read model as data. Changing the logic of `handle` means bumping `version`: the runner then
 * rebuilds the projection's tables from the first event.
 *
 * `handle` must be idempotent: every row remembers the stream revision (or position) that last
 * wrote it and ignores anything not newer, so a batch delivered twice changes nothing.
 */
export interface Projection {
  name: string;
  version: number;
  /** exact event types it handles; the subscription filter is built from them */
  eventTypes: string[];
  /** its tables, emptied by a rebuild */
  tables: string[];
  /** events arrive in `$all` order, already restricted to `eventTypes` */
  handle(events: RecordedEvent[], tx: ProjectionTx): Promise<void>;
}
