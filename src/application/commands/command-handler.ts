import { createHash, randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import {
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type Position,
} from '../ports/event-store.js';
import { readState } from './load-state.js';
import { snapshotCodecOf } from './snapshotted.js';
import { stateCacheOf } from './state-cache.js';

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
  /**
   * With events that vary in size (a VkItemsObserved carries up to 100 items), also keeps each
   * part under about this many bytes of event data, UTF-8 JSON; an event larger than that by
   * itself is appended alone.
   */
  maxBytesPerAppend?: number;
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
  /**
   * Events since a stream's last snapshot after which a command writes a new one (streams with
   * a codec, see snapshotted.ts); 0 turns snapshots off. Default SNAPSHOT_EVERY.
   */
  snapshotEvery?: number;
  /** where a snapshot that could not be written is reported (the command has succeeded) */
  logger?: { warn(details: object, message: string): void };
}

/**
 * Chosen from `npm run bench:history`'s figures (docs/architecture.md, "Snapshots, and folds
 * that stream"): a load never folds more than this past its snapshot, and a snapshot's write
 * costs less than the folds it saves.
 */
export const SNAPSHOT_EVERY = 1_000;

/** UUID v5-style id from a name: same input, same id. */
export function deterministicId(...parts: string[]): string {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The one generic command handler: read the stream (its snapshot, then the events after it,
 * streamed), fold it, decide, append with the revision read. Every module's commands go
 * through it, and it keeps the snapshots of the streams that have a codec.
 */
export class CommandHandler {
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly maxRetries: number;
  private readonly snapshotEvery: number;
  private readonly logger: NonNullable<CommandHandlerOptions['logger']>;
  /** one background snapshot write per stream at a time */
  private readonly snapshotWrites = new Map<string, Promise<void>>();
  /**
   * The revision of the last snapshot this handler wrote per stream: handleManyAt's callers
   * hold a state without knowing its snapshot, and must not write one on every call.
   */
  private readonly snapshotRevisions = new Map<string, number>();

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.maxRetries = options.maxRetries ?? 3;
    this.snapshotEvery = options.snapshotEvery ?? SNAPSHOT_EVERY;
    this.logger = options.logger ?? {
      warn: (details, message) => process.emitWarning(`${message} ${JSON.stringify(details)}`),
    };
  }

  /** Waits for the snapshot writes under way (tests; a clean shutdown before closing the store). */
  async flushSnapshots(): Promise<void> {
    while (this.snapshotWrites.size > 0) await Promise.all(this.snapshotWrites.values());
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
    const now = this.clock();
    const { state, events } = this.decideAll(decider, at.state, commands, now);
    if (events.length === 0) return { events, revision: at.revision, position: null, state };
    const toAppend = this.toAppend(events, streamId, now, meta);
    const { revision, position } = await this.appendInParts(streamId, toAppend, at.revision, meta);
    // A long push writes thousands of events through here: its stream is snapshotted too.
    if (revision === at.revision + toAppend.length) {
      this.snapshotLater(decider, streamId, state, revision, 'unknown');
      // A copy: the caller goes on evolving `state` in place.
      stateCacheOf(this.store)?.put(decider, streamId, {
        state,
        revision,
        lastEventId: toAppend.at(-1)!.id,
        snapshotRevision: this.snapshotRevisions.get(streamId) ?? null,
      });
    }
    return { events, revision, position, state };
  }

  /** Each command decided on the state the previous ones left. */
  private decideAll<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    initial: State,
    commands: readonly Command[],
    now: Date,
  ): { state: State; events: Event[] } {
    let state = initial;
    const events: Event[] = [];
    for (const command of commands) {
      const decided = decider.decide(command, state, { now, newId: this.newId });
      state = decided.reduce(decider.evolve, state);
      events.push(...decided);
    }
    return { state, events };
  }

  /**
   * Appends in parts of at most `maxEventsPerAppend` events and `maxBytesPerAppend` bytes of
   * data, the first expecting `revision` and each further one the revision the previous one left.
   */
  private async appendInParts(
    streamId: string,
    toAppend: NewEvent[],
    revision: number,
    limits: Pick<CommandMetadata, 'maxEventsPerAppend' | 'maxBytesPerAppend'>,
  ): Promise<{ revision: number; position: Position | null }> {
    let position: Position | null = null;
    for (const part of appendParts(toAppend, limits)) {
      const result = await this.store.appendToStream(streamId, part, {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
      });
      revision = result.nextExpectedRevision;
      position = result.position;
    }
    return { revision, position };
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
    let useSnapshot = true;
    for (let attempt = 0; ; attempt++) {
      const loaded = await readState(this.store, decider, streamId, {
        ...(useSnapshot ? {} : { codec: null, cache: false }),
      });
      const { revision } = loaded;
      if (meta.expectedRevision !== undefined && meta.expectedRevision !== revision) {
        throw new StaleRevisionError(streamId, meta.expectedRevision);
      }
      const now = this.clock();
      const { state, events } = this.decideAll(decider, loaded.state, commands, now);
      if (events.length === 0) {
        this.snapshotLater(decider, streamId, state, revision, loaded.snapshotRevision);
        return { events, revision, position: null };
      }
      const toAppend = this.toAppend(events, streamId, now, meta);
      try {
        const result = await this.appendInParts(streamId, toAppend, revision, meta);
        // `state` is the stream's state only if these very events followed the revision read:
        // a retried append (ids already recorded) answers with an older revision.
        const after = revision + toAppend.length;
        if (result.revision === after) {
          this.snapshotLater(decider, streamId, state, after, loaded.snapshotRevision);
          // Nobody uses `state` after this (the snapshot above copied it at once).
          const cached = { state, revision: after, lastEventId: toAppend.at(-1)!.id };
          stateCacheOf(this.store)?.put(
            decider,
            streamId,
            { ...cached, snapshotRevision: loaded.snapshotRevision },
            { giveUp: true },
          );
        }
        return { events, revision: result.revision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (meta.expectedRevision !== undefined)
          throw new StaleRevisionError(streamId, meta.expectedRevision);
        if (attempt >= this.maxRetries) throw error;
        // A snapshot ahead of the stream itself (the events restored from a backup older than
        // the snapshots) would conflict forever: the next attempt folds from the first event.
        const behind = typeof error.actual === 'number' ? error.actual : -1;
        if (loaded.snapshotRevision !== null && behind < revision) useSnapshot = false;
      }
    }
  }

  /**
   * Writes a snapshot of `state` (the stream at `revision`) once `snapshotEvery` events have
   * passed since the one it was loaded from, in the background: the command's caller does not
   * wait for it (the write starts after the current turn of the event loop), and a failure only
   * costs the next load a longer fold, so it is logged, never thrown.
   */
  private snapshotLater<State>(
    decider: Pick<Decider<never, DomainEvent, State>, 'initialState' | 'evolve'>,
    streamId: string,
    state: State,
    revision: number,
    /** of the snapshot the state was loaded from; 'unknown': the last one this handler wrote */
    snapshotRevision: number | null | 'unknown',
  ): void {
    const codec = snapshotCodecOf(decider);
    if (!codec || this.snapshotEvery <= 0 || revision < 0) return;
    const since =
      snapshotRevision === 'unknown'
        ? (this.snapshotRevisions.get(streamId) ?? -1)
        : (snapshotRevision ?? -1);
    if (revision - since < this.snapshotEvery) return;
    if (this.snapshotWrites.has(streamId)) return;
    this.snapshotRevisions.set(streamId, revision);
    // Copied now, once per `snapshotEvery` events: a caller of handleManyAt goes on evolving
    // this very state (folds update their Maps in place), so the write must not read it later.
    const json: unknown = JSON.parse(JSON.stringify(codec.toJSON(state)));
    const write = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        this.store.writeSnapshot({
          streamId,
          revision,
          schemaVersion: codec.schemaVersion,
          state: json,
        }),
      )
      .then(
        () => stateCacheOf(this.store)?.noteSnapshot(streamId, revision),
        (error: unknown) =>
          this.logger.warn(
            { err: error instanceof Error ? error.message : String(error), streamId, revision },
            'snapshot not written; the next command on the stream tries again',
          ),
      )
      .finally(() => this.snapshotWrites.delete(streamId));
    this.snapshotWrites.set(streamId, write);
  }
}

/** The parts `appendInParts` appends, in order: every event once. */
export function appendParts(
  events: NewEvent[],
  limits: Pick<CommandMetadata, 'maxEventsPerAppend' | 'maxBytesPerAppend'>,
): NewEvent[][] {
  const maxEvents = limits.maxEventsPerAppend ?? events.length;
  const maxBytes = limits.maxBytesPerAppend;
  if (events.length === 0) return [];
  if (maxBytes === undefined && maxEvents >= events.length) return [events];
  const parts: NewEvent[][] = [];
  let part: NewEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = maxBytes === undefined ? 0 : Buffer.byteLength(JSON.stringify(event.data));
    const tooLarge = maxBytes !== undefined && bytes + size > maxBytes;
    if (part.length > 0 && (part.length >= maxEvents || tooLarge)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(event);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
