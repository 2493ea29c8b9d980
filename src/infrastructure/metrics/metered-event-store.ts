import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  NewSnapshot,
  ReadAllOptions,
  ReadStreamIterableOptions,
  ReadStreamOptions,
  SubscribeToAllOptions,
} from '../../application/ports/event-store.js';
import type { Sequelize } from 'sequelize';
import { eventsTableOf, type EventsTable } from '../eventstore/events-table.js';
import type { Metrics } from './metrics.js';

/**
 * Counts appended events on the way through. A retried append that the store recognises as
 * already written is counted again: the counter measures append traffic, not stored events.
 */
export class MeteredEventStore implements EventStore, EventsTable {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: Metrics,
  ) {}

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    const result = await this.inner.appendToStream(streamId, events, options);
    this.metrics.countAppended(
      streamId,
      events.map((e) => e.type),
    );
    return result;
  }

  /** The wrapped store's events table, if it has one. */
  eventsTableFor(sequelize: Sequelize): string | null {
    return eventsTableOf(this.inner, sequelize);
  }

  readStream(streamId: string, options?: ReadStreamOptions) {
    return this.inner.readStream(streamId, options);
  }

  readStreamIterable(streamId: string, options?: ReadStreamIterableOptions) {
    return this.inner.readStreamIterable(streamId, options);
  }

  readSnapshot(streamId: string) {
    return this.inner.readSnapshot(streamId);
  }

  writeSnapshot(snapshot: NewSnapshot) {
    return this.inner.writeSnapshot(snapshot);
  }

  readAll(options?: ReadAllOptions) {
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeToAllOptions) {
    return this.inner.subscribeToAll(options);
  }

  headPosition() {
    return this.inner.headPosition();
  }

  health() {
    return this.inner.health();
  }

  close() {
    return this.inner.close();
  }
}
