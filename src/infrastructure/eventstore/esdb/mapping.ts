/** Conversions between the EventStore port and `@eventstore/db-client`. */
import {
  CancelledError,
  DeadlineExceededError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  START,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type Filter,
  type JSONType,
  type Position as EsdbPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  isSystemEvent,
  matchesFilter,
  WrongExpectedVersionError,
  type EventFilter,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from '../../../application/ports/event-store.js';

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // The port's data is whatever the domain serialises to JSON; the client only re-stringifies it.
    data: event.data as JSONType,
    metadata: event.metadata as JSONType,
  });
}

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  return typeof expected === 'number' ? BigInt(expected) : expected;
}

export function toEsdbPosition(position: Position): EsdbPosition {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

/** The port's `START` (0/0) is "before everything"; the client has its own constant for that. */
export function toEsdbFrom(position: Position | undefined | null): EsdbPosition | typeof START {
  if (!position || (position.commit === 0 && position.prepare === 0)) return START;
  return toEsdbPosition(position);
}

export function fromEsdbPosition(position: EsdbPosition): Position {
  return { commit: Number(position.commit), prepare: Number(position.prepare) };
}

type EsdbRecorded = NonNullable<ResolvedEvent['event'] | AllStreamResolvedEvent['event']>;

export function fromEsdbEvent(event: EsdbRecorded): RecordedEvent {
  if (!event.position) {
    throw new Error(`EventStoreDB returned event ${event.id} without a position (server < 22.6?)`);
  }
  return {
    id: event.id,
    type: event.type,
    data: event.isJson ? event.data : Buffer.from(event.data).toString('base64'),
    metadata: toMetadata(event.metadata, event),
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(event.position),
    created: event.created,
  };
}

/**
 * Events this service writes always carry metadata; events written by other tools may not, and
 * get a marked placeholder rather than a crash in a projection.
 */
function toMetadata(metadata: unknown, event: EsdbRecorded): EventMetadata {
  if (metadata && typeof metadata === 'object' && !(metadata instanceof Uint8Array)) {
    return metadata as EventMetadata;
  }
  return { actor: 'unknown', correlationId: event.id, occurredAt: event.created.toISOString() };
}

/** What the adapter shows of `$all`: no system events, and the port's filter. */
export function visibleInAll(filter: EventFilter | undefined) {
  return (event: { streamId: string; type: string }) =>
    !isSystemEvent(event.type) && matchesFilter(filter, event);
}

/**
 * The server-side filter for a subscription. The server takes one expression, so the port's
 * filter goes to the server and system events are dropped again on this side; without a port
 * filter the server drops system events itself.
 */
export function toServerFilter(filter: EventFilter | undefined): Filter {
  if (!filter) return excludeSystemEvents();
  const make = filter.on === 'streamName' ? streamNameFilter : eventTypeFilter;
  return 'prefixes' in filter ? make({ prefixes: filter.prefixes }) : make({ regex: filter.regex });
}

export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError
  ) {
    return true;
  }
  // A server that dies during an append surfaces as a raw gRPC error (14 = UNAVAILABLE).
  const code = (error as { code?: unknown } | null)?.code;
  return code === 14 || code === 4;
}

/** Maps the client's errors to the port's; everything else passes through. */
export function mapError(
  error: unknown,
  context: { url: string; streamId?: string; expected?: ExpectedRevision },
): unknown {
  if (error instanceof EsdbWrongExpectedVersionError && context.streamId !== undefined) {
    const actual = error.actualVersion;
    return new WrongExpectedVersionError(
      context.streamId,
      context.expected ?? 'any',
      typeof actual === 'bigint' ? Number(actual) : 'no_stream',
    );
  }
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new EventStoreUnavailableError(
      `EventStoreDB at ${context.url} is unavailable: ${reason}`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** The URL without credentials, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)[^@/]*@/, '$1***@');
}
