import type { Connection as CallbackConnection } from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import { QueryTypes, Sequelize } from 'sequelize';
import {
  EventStoreUnavailableError,
  isSystemEvent,
  matchesFilter,
  type AppendResult,
  type EventStore,
  type EventStoreHealth,
  type ExpectedRevision,
  type NewEvent,
  type NewSnapshot,
  type Position,
  type ReadAllOptions,
  type ReadStreamIterableOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredSnapshot,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../application/ports/event-store.js';
import { createSequelize, ensureDatabase } from '../../db/database.js';
import { migrate } from '../../db/migrate.js';
import type { Logger } from '../../logging/logger.js';
import { AppendSignal, pollingSubscription } from '../polling-subscription.js';
import { AppendRefusedError, appendLocked, type AppendItem } from './append.js';
import { qualifiedLockName } from '../../projections/named-lock.js';
import type { EventsTable } from '../events-table.js';
import {
  SELECTED_EVENT_COLUMNS,
  filterSql,
  recordedFromValues,
  toCached,
  toRecorded,
  unavailable,
  type EventRow,
} from './event-rows.js';
import { EventCache } from './event-cache.js';
import { decodeSnapshotState, encodeSnapshotState } from '../snapshot-encoding.js';

export interface MariaDbEventStoreOptions {
  logger?: Logger;
  /** how often subscribers look for appends made by other processes */
  pollMs?: number;
  /** how long an append waits for the append lock before giving up */
  lockTimeoutSeconds?: number;
  /** pool size when the store creates its own Sequelize */
  pool?: number;
}

const APPEND_LOCK = 'evosync:append';
/** appends committed together at most; a few dozen statements in one transaction */
const MAX_APPENDS_PER_COMMIT = 50;

interface AppendRequest {
  items: AppendItem[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}
const PAGE = 1000;

/**
 * The event store on MariaDB's `events` table. The global position is the `position` column
 * (commit = prepare), and positions are handed out in commit order — see `append`.
 */
export class MariaDbEventStore implements EventStore, EventsTable {
  private readonly signal = new AppendSignal();
  /** events this process appended or its subscriptions read, for its other subscriptions */
  private readonly cache = new EventCache();
  /**
   * The highest position known to be committed (null: unknown), from this process's appends,
   * reads that reached the end, and one head query per poll for all subscriptions together
   * (see subscribeToAll); a subscription at or past it has nothing to read.
   */
  private knownHead: number | null = null;
  private subscriptions = 0;
  private headWatch: NodeJS.Timeout | null = null;
  private headQuery: Promise<void> | null = null;
  /** appends of this process waiting for the next group commit (see append) */
  private waiting: AppendRequest[] = [];
  private appending = false;

  /** per database: stores on other databases of the same server append independently */
  private readonly appendLock: string;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: MariaDbEventStoreOptions & { ownsSequelize?: boolean } = {},
  ) {
    this.appendLock = qualifiedLockName(sequelize.getDatabaseName(), APPEND_LOCK);
  }

  /**
   * `events` when `other` reaches the database this store keeps its events in (the local
   * default: the read tables and the events in one database), else null: read models may then
   * copy an event's data from its row (see ProjectionTx.eventsTable).
   */
  eventsTableFor(other: Sequelize): string | null {
    const [mine, theirs] = [this.sequelize.config, other.config];
    const same =
      mine.host === theirs.host &&
      String(mine.port ?? 3306) === String(theirs.port ?? 3306) &&
      mine.database === theirs.database;
    return same ? 'events' : null;
  }

  /**
   * From a URL: creates the database if missing and runs the migrations, so a fresh database
   * works; the store then owns its pool. From a Sequelize: the caller owns the pool and has
   * migrated.
   */
  static async create(
    source: string | Sequelize,
    options: MariaDbEventStoreOptions = {},
  ): Promise<MariaDbEventStore> {
    if (source instanceof Sequelize) return new MariaDbEventStore(source, options);
    try {
      await ensureDatabase(source);
    } catch (error) {
      throw unavailable(error);
    }
    const sequelize = createSequelize(source, { logger: options.logger, pool: options.pool });
    try {
      await migrate(sequelize, options.logger);
    } catch (error) {
      await sequelize.close();
      throw unavailable(error);
    }
    return new MariaDbEventStore(sequelize, { ...options, ownsSequelize: true });
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [result] = await this.append([{ streamId, events, ...options }]);
    return result!;
  }

  /**
   * Appends to several streams atomically: one lock, one transaction, multi-row INSERTs. Every
   * expected revision must hold or nothing is written; a retried item returns its original
   * result. Results are in the order of `items`.
   */
  async appendBatch(items: AppendItem[]): Promise<AppendResult[]> {
    return this.append(items);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [streamId];
    let where = 'stream_id = ?';
    if (options.fromRevision !== undefined) {
      where += backwards ? ' AND revision <= ?' : ' AND revision >= ?';
      params.push(options.fromRevision);
    }
    const limit = options.maxCount === undefined ? '' : ` LIMIT ${Math.max(0, options.maxCount)}`;
    return this.select(
      `SELECT ${SELECTED_EVENT_COLUMNS} FROM events WHERE ${where}
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'}${limit}`,
      params,
    );
  }

  /** Pages of PAGE events along the (stream_id, revision) key. */
  async *readStreamIterable(
    streamId: string,
    options: ReadStreamIterableOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    let from = Math.max(0, options.fromRevision ?? 0);
    for (;;) {
      const page = await this.select(
        `SELECT ${SELECTED_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ?
         ORDER BY revision LIMIT ${PAGE}`,
        [streamId, from],
      );
      yield* page;
      if (page.length < PAGE) return;
      from = page.at(-1)!.revision + 1;
    }
  }

  async readSnapshot(streamId: string): Promise<StoredSnapshot | null> {
    const [row] = await this.run<{
      revision: number | string;
      schema_version: number | string;
      state: Buffer;
      created: Date | string;
    }>('SELECT revision, schema_version, state, created FROM snapshots WHERE stream_id = ?', [
      streamId,
    ]);
    if (!row) return null;
    return {
      streamId,
      revision: Number(row.revision),
      schemaVersion: Number(row.schema_version),
      state: await decodeSnapshotState(row.state),
      created: row.created instanceof Date ? row.created : new Date(`${row.created}Z`),
    };
  }

  /**
   * Two single statements, each atomic: insert when the stream has no snapshot, else replace
   * only a snapshot this one supersedes (see snapshotSupersedes), so concurrent writers need no
   * lock and none winds the snapshot back.
   */
  async writeSnapshot(snapshot: NewSnapshot): Promise<boolean> {
    const state = await encodeSnapshotState(snapshot.state);
    const { streamId, revision, schemaVersion } = snapshot;
    const created = new Date();
    return this.withConnection(async (c) => {
      const [inserted] = (await c.query(
        `INSERT IGNORE INTO snapshots (stream_id, revision, schema_version, state, created)
         VALUES (?, ?, ?, ?, ?)`,
        [streamId, revision, schemaVersion, state, created],
      )) as [{ affectedRows: number }, unknown];
      if (inserted.affectedRows > 0) return true;
      const [updated] = (await c.query(
        `UPDATE snapshots SET revision = ?, schema_version = ?, state = ?, created = ?
         WHERE stream_id = ? AND (schema_version <> ? OR revision < ?)`,
        [revision, schemaVersion, state, created, streamId, schemaVersion, revision],
      )) as [{ affectedRows: number }, unknown];
      return updated.affectedRows > 0;
    });
  }

  /**
   * Pages through the primary key from the start position; prefix filters run in SQL, a regex
   * filter in JavaScript on each page.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const filter = filterSql(options.filter);
    const found: RecordedEvent[] = [];
    let cursor = options.fromPosition?.commit;
    let inclusive = true;
    while (found.length < max) {
      const page = filter.exact ? Math.min(PAGE, max - found.length) : PAGE;
      const bound =
        cursor === undefined
          ? ''
          : ` AND position ${backwards ? '<' : '>'}${inclusive ? '=' : ''} ?`;
      const rows = await this.select(
        `SELECT ${SELECTED_EVENT_COLUMNS} FROM events
         WHERE type NOT LIKE '$%'${bound}${filter.sql}
         ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT ${page}`,
        [...(cursor === undefined ? [] : [cursor]), ...filter.params],
      );
      for (const event of rows) {
        if (found.length < max && matchesFilter(options.filter, event)) found.push(event);
      }
      if (rows.length < page) break;
      cursor = rows.at(-1)!.position.commit;
      inclusive = false;
    }
    return found;
  }

  /**
   * A worker runs a dozen subscriptions. Idle, they do not each poll the table: one head query
   * per poll interval serves them all and wakes them when another process appended; appends of
   * this process wake them at once. Each event is parsed once for all of them: what this
   * process appended, and what one subscription read from the table, is kept for the others
   * (EventCache) until every subscription has read past it.
   */
  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const pollMs = this.options.pollMs ?? 300;
    this.watchHead(pollMs);
    const cursor = this.cache.follow(options.fromPosition?.commit ?? null);
    // The first read asks the table: "caught up" then means caught up with the store as it is.
    let first = true;
    return pollingSubscription(
      {
        readAfter: async (after, limit) => {
          const from = after?.commit ?? 0;
          cursor.move(from);
          if (!first && this.knownHead !== null && from >= this.knownHead) return [];
          const cached = first
            ? { events: [], complete: false }
            : this.cache.after(from, limit, this.knownHead);
          first = false;
          if (cached.complete) return cached.events;
          const start = cached.events.at(-1)?.position.commit ?? from;
          const wanted = limit - cached.events.length;
          // Unfiltered, so the cursor moves past events the filter rejects.
          const rows = await this.run<EventRow>(
            `SELECT ${SELECTED_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ${wanted}`,
            [start],
          );
          const page = rows.map(toCached);
          this.cache.add(page);
          // Positions commit in order: a short page ends at the head of that moment.
          if (page.length < wanted) this.noteHead(page.at(-1)?.event.position.commit ?? start);
          return [...cached.events, ...page.map((e) => e.event)];
        },
        waitForAppend: (ms, signal, since) => this.signal.wait(ms, signal, since),
        appendVersion: () => this.signal.version,
      },
      options.fromPosition ?? null,
      {
        batchSize: PAGE,
        pollMs,
        accept: (e) => !isSystemEvent(e.type) && matchesFilter(options.filter, e),
        onEnd: () => {
          cursor.end();
          this.unwatchHead();
        },
      },
    );
  }

  private noteHead(position: number): void {
    if (this.knownHead === null || position > this.knownHead) this.knownHead = position;
  }

  private watchHead(pollMs: number): void {
    if (this.subscriptions++ > 0) return;
    // Nothing watched the head until now: what was known may be out of date.
    this.knownHead = null;
    this.headWatch = setInterval(() => {
      this.headQuery ??= this.queryHead().finally(() => (this.headQuery = null));
    }, pollMs);
    this.headWatch.unref();
  }

  private unwatchHead(): void {
    if (--this.subscriptions > 0 || !this.headWatch) return;
    clearInterval(this.headWatch);
    this.headWatch = null;
  }

  /** Wakes the subscriptions when the head moved past what this process knew of. */
  private async queryHead(): Promise<void> {
    try {
      const head = (await this.headPosition())?.commit ?? 0;
      if (this.knownHead !== null && head <= this.knownHead) return;
      this.noteHead(head);
      this.signal.notify();
    } catch {
      // Not reachable: the subscriptions' own reads report it when they next read.
      this.knownHead = null;
    }
  }

  async headPosition(): Promise<Position | null> {
    const [row] = await this.run<{ head: number | string | null }>(
      'SELECT MAX(position) AS head FROM events',
    );
    if (row?.head === null || row?.head === undefined) return null;
    const head = Number(row.head);
    return { commit: head, prepare: head };
  }

  async health(): Promise<EventStoreHealth> {
    try {
      await this.run('SELECT 1 AS ok');
      return { ok: true, adapter: 'mariadb' };
    } catch (error) {
      return {
        ok: false,
        adapter: 'mariadb',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async close(): Promise<void> {
    if (this.headWatch) clearInterval(this.headWatch);
    this.headWatch = null;
    await this.headQuery;
    if (this.options.ownsSequelize) await this.sequelize.close();
  }

  /**
   * Why a lock: positions must become visible in position order. With concurrent transactions,
   * position 11 could commit before position 10; a subscriber that has read up to 11 would
   * then never read 10. So one append at a time: take the named lock on this connection, read
   * MAX(position), check expected revisions and insert inside a transaction, commit, and only
   * then release the lock — the next appender's MAX(position) sees our committed rows, and every
   * committed position is higher than all positions committed before it. The lock spans
   * processes. Appends waiting in this process go in together (group commit): one lock, one
   * transaction and one commit for all of them, each checked and inserted in turn inside it, so
   * a busy worker's appends do not queue behind one another's lock and commit round trips.
   */
  private append(items: AppendItem[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.appending) void this.appendWaiting();
    });
  }

  private async appendWaiting(): Promise<void> {
    this.appending = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, MAX_APPENDS_PER_COMMIT);
        const settled = await this.appendGroup(group).then(
          () => true,
          () => false,
        );
        // Whatever failed a whole group (a bad row, the connection) is met by each request
        // alone; a request alone has been given its failure already.
        if (!settled && group.length > 1) {
          for (const request of group) await this.appendGroup([request]).catch(() => undefined);
        }
      }
    } finally {
      this.appending = false;
    }
  }

  /**
   * Appends `group` in one transaction and settles each request. A request refused on its own
   * (its expected revision, an event id already elsewhere) is refused before it inserts
   * anything, and the others go on; anything else rejects this promise with nothing settled.
   */
  private async appendGroup(group: AppendRequest[]): Promise<void> {
    const outcomes = await this.withConnection(async (c) => {
      const timeout = this.options.lockTimeoutSeconds ?? 30;
      const [[lock]] = (await c.query('SELECT GET_LOCK(?, ?) AS got', [
        this.appendLock,
        timeout,
      ])) as [Array<{ got: number | null }>, unknown];
      if (Number(lock?.got) !== 1) {
        throw new EventStoreUnavailableError(`The append lock was busy for ${timeout} s`);
      }
      try {
        await c.query('START TRANSACTION');
        try {
          const done: Array<Awaited<ReturnType<typeof appendLocked>> | { refused: unknown }> = [];
          for (const request of group) {
            try {
              done.push(await appendLocked(c, request.items));
            } catch (error) {
              if (!(error instanceof AppendRefusedError)) throw error;
              done.push({ refused: error.reason });
            }
          }
          await c.query('COMMIT');
          return done;
        } catch (error) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        // A broken connection has lost the lock with its session anyway.
        await c.query('SELECT RELEASE_LOCK(?)', [this.appendLock]).catch(() => undefined);
      }
    }).catch((error: unknown) => {
      // Alone, the request gets the failure itself.
      if (group.length === 1) group[0]!.reject(error);
      throw error;
    });
    let written = false;
    outcomes.forEach((outcome, i) => {
      const request = group[i]!;
      if ('refused' in outcome) return request.reject(outcome.refused);
      if (outcome.rows.length > 0) {
        this.cache.add(outcome.rows.map(recordedFromValues));
        this.noteHead(outcome.head + outcome.rows.length);
        written = true;
      }
      request.resolve(outcome.results);
    });
    if (written) this.signal.notify();
  }

  /** A raw connection from Sequelize's pool, for statements that must share one session. */
  private async withConnection<T>(work: (c: PromiseConnection) => Promise<T>): Promise<T> {
    const manager = this.sequelize.connectionManager;
    let connection: CallbackConnection;
    try {
      connection = (await manager.getConnection({ type: 'write' })) as CallbackConnection;
    } catch (error) {
      throw unavailable(error);
    }
    let broken = false;
    try {
      return await work(connection.promise());
    } catch (error) {
      const translated = unavailable(error);
      broken = translated instanceof EventStoreUnavailableError;
      throw translated;
    } finally {
      if (broken) await manager.destroyConnection(connection).catch(() => undefined);
      else manager.releaseConnection(connection);
    }
  }

  private async select(sql: string, params: unknown[]): Promise<RecordedEvent[]> {
    return (await this.run<EventRow>(sql, params)).map(toRecorded);
  }

  private async run<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return await this.sequelize.query<Row>(sql, {
        replacements: params,
        type: QueryTypes.SELECT,
      });
    } catch (error) {
      throw unavailable(error);
    }
  }
}
