import { createHash, randomUUID } from 'node:crypto';
import { fold, type Decider, type DomainEvent } from '../../domain/shared/decider.js';
import {
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type Position,
} from '../ports/event-store.js';
import { asDomainEvents } from './load-state.js';

export interface CommandMetadata {
  actor: string;
  correlationId?: string;
  causationId?: string;
  /**
   * The stream revision the user's form was rendered from. When given, a conflict is not
   * retried: the caller gets a StaleRevisionError (a "changed meanwhile" message).
   */
  expectedRevision?: number;
  /**
   * Makes event ids deterministic: the same key, stream and index in the command's output give
   * the same id, so a retried command (a webhook delivered twice, a job run twice) cannot
   * append the same fact twice even when its `decide` is not idempotent by itself.
   */
  idempotencyKey?: string;
  /**
   * Splits a large outcome into appends of at most this many events (EventStoreDB refuses an
   * append over its maximum size, 1 MiB by default). Only for commands whose events stay
   * meaningful as a prefix: a crash between the appends leaves the first part recorded, and
   * the next run's `decide` sees that state and records the rest (catalog snapshots do).
   */
  maxEventsPerAppend?: number;
}

export interface CommandResult<Event> {
  events: Event[];
  /** the stream's revision after the command (-1 if the stream does not exist) */
  revision: number;
  /** position of the last appended event; null when nothing was appended */
  position: Position | null;
}

export class StaleRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
  ) {
    super('Данные изменились, пока форма была открыта. Обновите страницу и повторите.');
    this.name = 'StaleRevisionError';
  }
}

export interface CommandHandlerOptions {
  clock?: () => Date;
  newId?: () => string;
  /** retries after a version conflict when the revision was not supplied by the user */
  maxRetries?: number;
}

/** UUID v5-style id from a name: same input, same id. */
export function deterministicId(...parts: string[]): string {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The one generic command handler: read the stream, fold it, decide, append with the revision
 * read. Every module's commands go through it.
 */
export class CommandHandler {
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly maxRetries: number;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.maxRetries = options.maxRetries ?? 3;
  }

  handle<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    meta: CommandMetadata,
  ): Promise<CommandResult<Event>> {
    return this.handleMany(decider, streamId, [command], meta);
  }

  /**
   * Several commands on one stream in one read and one append, each decided on the state the
   * previous ones left: a push job records hundreds of outcomes without re-reading the stream
   * for each. All or nothing, like a single command.
   */
  /**
   * Like handleMany, on a state the caller already holds (a push keeps its mirror state between
   * chunks instead of reading the stream again): decides on `at.state`, appends expecting
   * exactly `at.revision` and never retries. A WrongExpectedVersionError means someone else
   * wrote to the stream since; the caller must stop. `at.state` is consumed (evolve may update
   * it in place): use the returned state from then on.
   */
  async handleManyAt<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    at: { state: State; revision: number },
    commands: readonly Command[],
    meta: Omit<CommandMetadata, 'expectedRevision'>,
  ): Promise<CommandResult<Event> & { state: State }> {
    let state = at.state;
    const now = this.clock();
    const events: Event[] = [];
    for (const command of commands) {
      const decided = decider.decide(command, state, { now, newId: this.newId });
      state = decided.reduce(decider.evolve, state);
      events.push(...decided);
    }
    if (events.length === 0) return { events, revision: at.revision, position: null, state };
    const toAppend = this.toAppend(events, streamId, now, meta);
    const chunk = meta.maxEventsPerAppend ?? toAppend.length;
    let revision = at.revision;
    let position: Position | null = null;
    for (let i = 0; i < toAppend.length; i += chunk) {
      const result = await this.store.appendToStream(streamId, toAppend.slice(i, i + chunk), {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
      });
      revision = result.nextExpectedRevision;
      position = result.position;
    }
    return { events, revision, position, state };
  }

  private toAppend<Event extends DomainEvent>(
    events: readonly Event[],
    streamId: string,
    now: Date,
    meta: Omit<CommandMetadata, 'expectedRevision'>,
  ): NewEvent[] {
    const metadata: EventMetadata = {
      actor: meta.actor,
      correlationId: meta.correlationId ?? this.newId(),
      ...(meta.causationId ? { causationId: meta.causationId } : {}),
      occurredAt: now.toISOString(),
    };
    return events.map((e, i) => ({
      id: meta.idempotencyKey
        ? deterministicId(meta.idempotencyKey, streamId, String(i))
        : this.newId(),
      type: e.type,
      data: e.data,
      metadata,
    }));
  }

  async handleMany<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    commands: readonly Command[],
    meta: CommandMetadata,
  ): Promise<CommandResult<Event>> {
    for (let attempt = 0; ; attempt++) {
      const recorded = await this.store.readStream(streamId);
      const revision = recorded.length === 0 ? -1 : recorded[recorded.length - 1]!.revision;
      if (meta.expectedRevision !== undefined && meta.expectedRevision !== revision) {
        throw new StaleRevisionError(streamId, meta.expectedRevision);
      }
      let state = fold(decider, asDomainEvents<Event>(recorded));
      const now = this.clock();
      const events: Event[] = [];
      for (const command of commands) {
        const decided = decider.decide(command, state, { now, newId: this.newId });
        state = decided.reduce(decider.evolve, state);
        events.push(...decided);
      }
      if (events.length === 0) return { events, revision, position: null };

      const correlationId = meta.correlationId ?? this.newId();
      const metadata: EventMetadata = {
        actor: meta.actor,
        correlationId,
        ...(meta.causationId ? { causationId: meta.causationId } : {}),
        occurredAt: now.toISOString(),
      };
      const toAppend: NewEvent[] = events.map((e, i) => ({
        id: meta.idempotencyKey
          ? deterministicId(meta.idempotencyKey, streamId, String(i))
          : this.newId(),
        type: e.type,
        data: e.data,
        metadata,
      }));
      const chunk = meta.maxEventsPerAppend ?? toAppend.length;
      try {
        let result = await this.store.appendToStream(streamId, toAppend.slice(0, chunk), {
          expectedRevision: revision === -1 ? 'no_stream' : revision,
        });
        // The rest in further appends, each expecting the revision the previous one left.
        for (let i = chunk; i < toAppend.length; i += chunk) {
          result = await this.store.appendToStream(streamId, toAppend.slice(i, i + chunk), {
            expectedRevision: result.nextExpectedRevision,
          });
        }
        return { events, revision: result.nextExpectedRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (meta.expectedRevision !== undefined)
          throw new StaleRevisionError(streamId, meta.expectedRevision);
        if (attempt >= this.maxRetries) throw error;
      }
    }
  }
}
