import {
  comparePositions,
  expectedRevisionHolds,
  isSystemEvent,
  matchesFilter,
  snapshotSupersedes,
  WrongExpectedVersionError,
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
import { AppendSignal, pollingSubscription } from '../polling-subscription.js';

/** The in-memory adapter, for unit tests. Positions are 1-based like the MariaDB adapter's. */
export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly snapshots = new Map<string, StoredSnapshot>();
  private readonly signal = new AppendSignal();

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length - 1;
    const retried = retriedAppend(stream, events);
    if (retried) return retried;
    const expected = options.expectedRevision ?? 'any';
    if (!expectedRevisionHolds(expected, current)) {
      throw new WrongExpectedVersionError(
        streamId,
        expected,
        current === -1 ? 'no_stream' : current,
      );
    }
    const created = new Date();
    for (const event of events) {
      const position = { commit: this.all.length + 1, prepare: this.all.length + 1 };
      const recorded: RecordedEvent = {
        ...structuredClone(event),
        streamId,
        revision: stream.length,
        position,
        created,
      };
      stream.push(recorded);
      this.all.push(recorded);
    }
    this.streams.set(streamId, stream);
    if (events.length > 0) this.signal.notify();
    const last = stream.at(-1);
    return {
      nextExpectedRevision: stream.length - 1,
      position: last ? last.position : { commit: 0, prepare: 0 },
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? stream.length - 1;
      return stream
        .filter((e) => e.revision <= from)
        .reverse()
        .slice(0, max)
        .map(copy);
    }
    const from = options.fromRevision ?? 0;
    return stream
      .filter((e) => e.revision >= from)
      .slice(0, max)
      .map(copy);
  }

  async *readStreamIterable(
    streamId: string,
    options: ReadStreamIterableOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    const stream = this.streams.get(streamId) ?? [];
    // By index, so events appended while the consumer iterates are still delivered, in order.
    for (let i = Math.max(0, options.fromRevision ?? 0); i < stream.length; i++) {
      yield copy(stream[i]!);
    }
  }

  async readSnapshot(streamId: string): Promise<StoredSnapshot | null> {
    const stored = this.snapshots.get(streamId);
    return stored ? structuredClone(stored) : null;
  }

  async writeSnapshot(snapshot: NewSnapshot): Promise<boolean> {
    if (!snapshotSupersedes(this.snapshots.get(snapshot.streamId) ?? null, snapshot)) return false;
    // Through JSON, like the other adapters: what comes back is what a database would return.
    const state = JSON.parse(JSON.stringify(snapshot.state)) as unknown;
    this.snapshots.set(snapshot.streamId, { ...snapshot, state, created: new Date() });
    return true;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const visible = (e: RecordedEvent) =>
      !isSystemEvent(e.type) && matchesFilter(options.filter, e);
    const from = options.fromPosition;
    if (options.direction === 'backwards') {
      return this.all
        .filter((e) => (!from || comparePositions(e.position, from) <= 0) && visible(e))
        .reverse()
        .slice(0, max)
        .map(copy);
    }
    return this.all
      .filter((e) => (!from || comparePositions(e.position, from) >= 0) && visible(e))
      .slice(0, max)
      .map(copy);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    return pollingSubscription(
      {
        readAfter: async (after, limit) => {
          const start = after ? after.commit : 0;
          return this.all.slice(start, start + limit).map(copy);
        },
        waitForAppend: (ms, signal, since) => this.signal.wait(ms, signal, since),
        appendVersion: () => this.signal.version,
      },
      options.fromPosition ?? null,
      { accept: (e) => !isSystemEvent(e.type) && matchesFilter(options.filter, e) },
    );
  }

  async headPosition(): Promise<Position | null> {
    return this.all.at(-1)?.position ?? null;
  }

  async health(): Promise<EventStoreHealth> {
    return { ok: true, adapter: 'memory' };
  }

  async close(): Promise<void> {}
}

function copy(e: RecordedEvent): RecordedEvent {
  return structuredClone(e);
}

/**
 * A retried append (the same event ids already at the end of the stream, in the same order)
 * answers with the original result instead of writing twice.
 */
export function retriedAppend(stream: RecordedEvent[], events: NewEvent[]): AppendResult | null {
  if (events.length === 0 || stream.length < events.length) return null;
  const tail = stream.slice(stream.length - events.length);
  if (!tail.every((e, i) => e.id === events[i]?.id)) return null;
  const last = tail.at(-1)!;
  return { nextExpectedRevision: last.revision, position: last.position };
}
