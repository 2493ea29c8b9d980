import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type Position as EsdbPosition,
} from '@eventstore/db-client';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { Logger } from '../../logging/logger.js';
import {
  comparePositions,
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
import {
  fromEsdbEvent,
  fromEsdbPosition,
  mapError,
  redactUrl,
  toEsdbExpected,
  toEsdbPosition,
  toEventData,
  visibleInAll,
} from './mapping.js';
import {
  DEFAULT_BACKOFF,
  supervisedSubscription,
  type BackoffOptions,
  type SubscriptionStatus,
} from './supervised-subscription.js';
import { readEsdbSnapshot, writeEsdbSnapshot } from './snapshots.js';

export type { SubscriptionStatus } from './supervised-subscription.js';

export interface EsdbEventStoreOptions {
  backoff?: Partial<BackoffOptions>;
  /** how long `health()` waits for the server */
  healthTimeoutMs?: number;
  /** events per `$all` page when the adapter filters on its side */
  pageSize?: number;
  /** bytes of compressed snapshot per event (tests lower it to exercise several parts) */
  snapshotPartBytes?: number;
  logger?: Logger;
}

export interface EsdbHealth extends EventStoreHealth {
  adapter: 'esdb';
  serverAnswers: boolean;
  subscriptions: SubscriptionStatus[];
}

/**
 * gRPC keepalive: a half-open connection (a server gone without a FIN) is noticed within
 * interval + timeout instead of at the next write. 10 s is the client's recommended minimum.
 */
const KEEPALIVE = { keepAliveInterval: 10_000, keepAliveTimeout: 10_000 };

/** The EventStoreDB adapter, through `@eventstore/db-client` (gRPC). */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly url: string;
  private readonly backoff: BackoffOptions;
  private readonly healthTimeoutMs: number;
  private readonly pageSize: number;
  private readonly snapshotPartBytes: number | undefined;
  private readonly logger: Logger | undefined;
  private readonly statuses = new BehaviorSubject<SubscriptionStatus[]>([]);
  private readonly open = new Set<Subscription>();
  private nextSubscriptionId = 1;

  constructor(url: string, options: EsdbEventStoreOptions = {}) {
    this.url = redactUrl(url);
    this.client = EventStoreDBClient.connectionString(withKeepAlive(url));
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
    this.pageSize = options.pageSize ?? 500;
    this.snapshotPartBytes = options.snapshotPartBytes;
    this.logger = options.logger;
  }

  /** The state of every open subscription; `/health` shows it. */
  get subscriptionStatuses$(): Observable<SubscriptionStatus[]> {
    return this.statuses.asObservable();
  }

  subscriptionStatuses(): SubscriptionStatus[] {
    return this.statuses.getValue();
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toEsdbExpected(expected),
      });
      if (events.length === 0 || !result.position) return await this.emptyAppendResult(streamId);
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: fromEsdbPosition(result.position),
      };
    } catch (error) {
      throw mapError(error, { url: this.url, streamId, expected });
    }
  }

  /** An empty append writes nothing; answer like the other adapters from the stream's end. */
  private async emptyAppendResult(streamId: string): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last
      ? { nextExpectedRevision: last.revision, position: last.position }
      : { nextExpectedRevision: -1, position: { commit: 0, prepare: 0 } };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const from =
      options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START;
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: from,
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read)
        if (resolved.event) events.push(fromEsdbEvent(resolved.event));
      return events;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw mapError(error, { url: this.url, streamId });
    }
  }

  /**
   * In pages of `pageSize` events, each its own read: the client's single read would buffer as
   * fast as the server sends, so a slow fold could still hold a long stream in memory.
   */
  async *readStreamIterable(
    streamId: string,
    options: ReadStreamIterableOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    let from = Math.max(0, options.fromRevision ?? 0);
    for (;;) {
      const page = await this.readStream(streamId, { fromRevision: from, maxCount: this.pageSize });
      yield* page;
      if (page.length < this.pageSize) return;
      from = page.at(-1)!.revision + 1;
    }
  }

  async readSnapshot(streamId: string): Promise<StoredSnapshot | null> {
    try {
      return await readEsdbSnapshot(this.client, streamId);
    } catch (error) {
      throw mapError(error, { url: this.url, streamId });
    }
  }

  async writeSnapshot(snapshot: NewSnapshot): Promise<boolean> {
    try {
      return await writeEsdbSnapshot(this.client, snapshot, this.snapshotPartBytes);
    } catch (error) {
      throw mapError(error, { url: this.url, streamId: snapshot.streamId });
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (max === 0) return [];
    const backwards = options.direction === 'backwards';
    const visible = visibleInAll(options.filter);
    const found: RecordedEvent[] = [];
    try {
      // The server is asked for pages and the adapter filters (system events, the port's filter):
      // `readAll` in this client version takes no server-side filter.
      let from: Position | undefined = options.fromPosition;
      let skipFrom = false;
      if (backwards && from) {
        // Whether a backwards read includes its start differs between server versions: fetch the
        // event at the start position itself, then only what lies strictly before it.
        const [atStart] = await this.readAllPage(false, from, 1);
        if (atStart && comparePositions(atStart.position, from) === 0 && visible(atStart)) {
          found.push(atStart);
        }
        skipFrom = true;
      }
      // Small reads first, growing to pageSize: a short read (the head position, asked for by
      // every health check) then does not download a full page, which near the end of `$all`
      // may hold snapshot parts of half a megabyte each.
      let count = Math.min(this.pageSize, Math.max(8, max + 1));
      while (found.length < max) {
        const page = await this.readAllPage(backwards, from, count);
        for (const event of page) {
          if (skipFrom && from && comparePositions(event.position, from) === 0) continue;
          if (visible(event)) found.push(event);
          if (found.length === max) break;
        }
        const lastInPage = page.at(-1);
        if (page.length < count || !lastInPage) break;
        count = Math.min(this.pageSize, count * 4);
        from = lastInPage.position;
        skipFrom = true;
      }
      return found;
    } catch (error) {
      throw mapError(error, { url: this.url });
    }
  }

  private async readAllPage(
    backwards: boolean,
    from: Position | undefined,
    count: number,
  ): Promise<RecordedEvent[]> {
    const fromPosition: EsdbPosition | typeof START | typeof END = from
      ? toEsdbPosition(from)
      : backwards
        ? END
        : START;
    const read = this.client.readAll({
      direction: backwards ? BACKWARDS : FORWARDS,
      fromPosition,
      maxCount: count,
    });
    const page: RecordedEvent[] = [];
    for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
      if (resolved.event) page.push(fromEsdbEvent(resolved.event));
    }
    return page;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const id = this.nextSubscriptionId++;
    const subscription: Subscription = supervisedSubscription(this.client, {
      id,
      from: options.fromPosition ?? null,
      filter: options.filter,
      backoff: this.backoff,
      report: (status) => {
        const previous = this.statuses.getValue().find((s) => s.id === id);
        const others = this.statuses.getValue().filter((s) => s.id !== id);
        this.logTransition(previous, status);
        if (!status) this.open.delete(subscription);
        this.statuses.next(status ? [...others, status].sort((a, b) => a.id - b.id) : others);
      },
    });
    this.open.add(subscription);
    return subscription;
  }

  private logTransition(previous: SubscriptionStatus | undefined, next: SubscriptionStatus | null) {
    if (!this.logger || !next) return;
    if (next.state === 'reconnecting') {
      this.logger.warn(
        { subscription: next.id, attempt: next.attempt, error: next.lastError, url: this.url },
        'EventStoreDB subscription dropped; resubscribing',
      );
    } else if (next.state === 'connected' && previous?.state === 'reconnecting') {
      this.logger.info(
        { subscription: next.id, after: previous.attempt, url: this.url },
        'EventStoreDB subscription resumed',
      );
    }
  }

  async headPosition(): Promise<Position | null> {
    const [last] = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return last ? last.position : null;
  }

  async health(): Promise<EsdbHealth> {
    const subscriptions = this.subscriptionStatuses();
    const problem = await this.probe();
    const reconnecting = subscriptions.filter((s) => s.state === 'reconnecting');
    const details = [
      problem ? `server does not answer: ${problem}` : 'server answers',
      ...reconnecting.map(
        (s) => `subscription ${s.id} reconnecting (attempt ${s.attempt}): ${s.lastError}`,
      ),
    ];
    return {
      ok: !problem && reconnecting.length === 0,
      adapter: 'esdb',
      detail: details.join('; '),
      serverAnswers: !problem,
      subscriptions,
    };
  }

  /** A one-event read with a deadline of our own: the client gives reads no deadline. */
  private async probe(): Promise<string | null> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no answer within ${this.healthTimeoutMs} ms`),
        this.healthTimeoutMs,
      );
    });
    const answer = (async () => {
      try {
        for await (const resolved of read) void resolved;
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    })();
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
      await read.cancel().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.unsubscribe()));
    await this.client.dispose();
  }
}

/** Adds keepalive settings to the connection string unless it already sets them. */
function withKeepAlive(url: string): string {
  const extra = Object.entries(KEEPALIVE)
    .filter(([key]) => !new RegExp(`[?&]${key}=`, 'i').test(url))
    .map(([key, value]) => `${key}=${value}`);
  if (extra.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${extra.join('&')}`;
}
