/**
 * The event store port. Three adapters implement it (EventStoreDB, MariaDB, memory) and one
 * contract suite (test/contract/event-store.contract.ts) holds them to the same behaviour.
 *
 * Numbers: stream revisions are 0-based (the revision of a stream is that of its last event).
 * Global positions are JavaScript numbers; EventStoreDB's 64-bit positions are byte offsets in
 * its log and stay far below 2^53 for any store this service will meet.
 */

export interface EventMetadata {
  /** user id, or `system`, or `evotor` for webhooks */
  actor: string;
  correlationId: string;
  causationId?: string;
  /** ISO-8601 time the command was decided */
  occurredAt: string;
  [key: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** UUID. Deterministic where a retry could append the same fact twice. */
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

export interface Position {
  commit: number;
  prepare: number;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<
  Type,
  Data
> {
  streamId: string;
  revision: number;
  position: Position;
  /** when the store recorded it */
  created: Date;
}

/** `any`, `no_stream`, `stream_exists`, or the exact revision of the stream's last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** the revision of the stream after the append (pass it as the next expected revision) */
  nextExpectedRevision: number;
  /** the position of the last appended event */
  position: Position;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** inclusive; default: start (forwards) or end (backwards) */
  fromRevision?: number;
  maxCount?: number;
}

/** Like EventStoreDB's server-side filter: by stream name or by event type, prefixes or a regex. */
export type EventFilter =
  | { on: 'streamName'; prefixes: string[] }
  | { on: 'streamName'; regex: string }
  | { on: 'eventType'; prefixes: string[] }
  | { on: 'eventType'; regex: string };

export interface ReadAllOptions {
  direction?: Direction;
  /** inclusive; default: start (forwards) or end (backwards) */
  fromPosition?: Position;
  maxCount?: number;
  filter?: EventFilter;
}

export interface SubscribeToAllOptions {
  /** exclusive: the first event delivered is the one after this position; default: start */
  fromPosition?: Position;
  filter?: EventFilter;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** the subscription has delivered everything that was in the store when it caught up */
  | { kind: 'caughtUp' };

/**
 * A catch-up subscription to `$all`, consumed with `for await`. Pull-based, so a slow consumer
 * holds the producer back. `unsubscribe()` ends the iteration; leaving the loop with `break`
 * also unsubscribes.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  unsubscribe(): Promise<void>;
}

export interface ReadStreamIterableOptions {
  /** inclusive; default: the stream's first event */
  fromRevision?: number;
}

/**
 * A stream's folded state as of one revision, so a load reads this and only the events after
 * it. Snapshots sit beside the events (their own table or stream) and never replace them: the
 * events stay the truth, `$all`, subscriptions, replay and the audit log never see a snapshot.
 */
export interface NewSnapshot {
  streamId: string;
  /** the revision of the last event folded into `state` */
  revision: number;
  /** the state's codec version; a reader with another version ignores the snapshot */
  schemaVersion: number;
  /** the codec's JSON form of the state (plain JSON: no Maps, no Dates) */
  state: unknown;
}

export interface StoredSnapshot extends NewSnapshot {
  /** when the store recorded it */
  created: Date;
}

export interface EventStoreHealth {
  ok: boolean;
  adapter: 'esdb' | 'mariadb' | 'memory';
  detail?: string;
}

export interface EventStore {
  /**
   * Appends atomically. Throws WrongExpectedVersionError when `expectedRevision` does not hold.
   * An append whose event ids are exactly the stream's last events (a retried append) succeeds
   * without writing again and returns the original result, as EventStoreDB does.
   */
  appendToStream(
    streamId: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /** A missing stream reads as an empty list. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * A stream forwards, fetched page by page as the consumer iterates: a fold of any length holds
   * one page in memory, not the history. A missing stream yields nothing. Leaving the loop early
   * stops the reading.
   */
  readStreamIterable(
    streamId: string,
    options?: ReadStreamIterableOptions,
  ): AsyncIterable<RecordedEvent>;
  /** The stream's current snapshot (see writeSnapshot), or null. */
  readSnapshot(streamId: string): Promise<StoredSnapshot | null>;
  /**
   * Keeps one current snapshot per stream. The new one replaces the stored one unless that has
   * the same schema version and covers at least the same revision (then nothing is written and
   * the answer is false), so a late writer never winds a stream's snapshot back. A different
   * schema version always replaces: after a deploy the new code's snapshot wins.
   */
  writeSnapshot(snapshot: NewSnapshot): Promise<boolean>;
  /** `$all` without system events (types starting with `$`). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** The position of the last event in `$all` (null when empty). */
  headPosition(): Promise<Position | null>;
  health(): Promise<EventStoreHealth>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** the stream's actual revision, or `no_stream` */
    readonly actual: number | 'no_stream',
  ) {
    super(
      `Wrong expected version on ${streamId}: expected ${String(expected)}, actual ${String(actual)}`,
    );
    this.name = 'WrongExpectedVersionError';
  }
}

export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export const START: Position = { commit: 0, prepare: 0 };

export function comparePositions(a: Position, b: Position): number {
  return a.commit - b.commit || a.prepare - b.prepare;
}

export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

export function matchesFilter(
  filter: EventFilter | undefined,
  event: { streamId: string; type: string },
): boolean {
  if (!filter) return true;
  const subject = filter.on === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

/** Whether `next` may replace `stored` (see EventStore.writeSnapshot). */
export function snapshotSupersedes(
  stored: Pick<NewSnapshot, 'revision' | 'schemaVersion'> | null,
  next: Pick<NewSnapshot, 'revision' | 'schemaVersion'>,
): boolean {
  return !stored || stored.schemaVersion !== next.schemaVersion || next.revision > stored.revision;
}

/** Checks an expected revision against the stream's current revision (`-1` = no stream). */
export function expectedRevisionHolds(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  if (expected === 'stream_exists') return current >= 0;
  return expected === current;
}
