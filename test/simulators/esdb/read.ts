import { randomUUID } from 'node:crypto';
import type { ServerWritableStream } from '@grpc/grpc-js';
import {
  ReadReq,
  ReadResp,
  UUID,
  streamIdentifier,
  streamName,
  type FilterOptions,
  type ReadOptions,
  type ReadReqMessage,
  type ReadRespMessage,
} from './proto.js';
import type { EsdbSimulatorState, StoredEvent } from './state.js';

type ReadCall = ServerWritableStream<ReadReqMessage, ReadRespMessage>;
type Predicate = (e: StoredEvent) => boolean;

/** Where a read or subscription starts; `after` positions are exclusive (subscriptions). */
interface Selection {
  /** events of the source in log order */
  source: () => readonly StoredEvent[];
  /** true for events at or past the start, in read direction order */
  forwardsFrom: Predicate;
  backwardsFrom: Predicate;
  /** true for events a subscription starting here must not replay */
  beforeSubscriptionStart: Predicate;
  live: boolean;
  matches: Predicate;
}

/** `Streams.Read`: stream reads, `$all` reads and catch-up subscriptions to either. */
export function handleRead(
  state: EsdbSimulatorState,
  call: ReadCall,
  onSubscription: (drop: () => void) => void,
): void {
  const options = call.request.getOptions();
  if (!options) {
    call.emit('error', { code: 3, details: 'read without options' });
    return;
  }
  const selection = options.hasStream()
    ? streamSelection(state, options)
    : allSelection(state, options);
  if (selection === 'not_found') {
    const name = streamIdentifier(streamName(options.getStream()?.getStreamIdentifier()));
    call.write(
      new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(name)),
    );
    call.end();
    return;
  }

  if (options.hasSubscription()) {
    subscribe(state, call, selection, onSubscription);
    return;
  }
  const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const events = backwards
    ? selection
        .source()
        .filter((e) => selection.backwardsFrom(e) && selection.matches(e))
        .reverse()
    : selection.source().filter((e) => selection.forwardsFrom(e) && selection.matches(e));
  for (const event of events.slice(0, count)) call.write(eventMessage(event));
  call.end();
}

function subscribe(
  state: EsdbSimulatorState,
  call: ReadCall,
  selection: Selection,
  onSubscription: (drop: () => void) => void,
): void {
  call.write(
    new ReadResp().setConfirmation(
      new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()),
    ),
  );
  // Catch-up, caught-up and the live listener in one synchronous tick: no append can slip between.
  if (!selection.live) {
    for (const event of selection.source()) {
      if (!selection.beforeSubscriptionStart(event) && selection.matches(event)) {
        call.write(eventMessage(event));
      }
    }
  }
  call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  const drop = state.onAppend((events) => {
    for (const event of events) {
      if (selection.matches(event) && !selection.beforeSubscriptionStart(event)) {
        call.write(eventMessage(event));
      }
    }
  });
  call.on('cancelled', drop);
  call.on('close', drop);
  onSubscription(drop);
}

function streamSelection(state: EsdbSimulatorState, options: ReadOptions): Selection | 'not_found' {
  const stream = options.getStream()!;
  const name = streamName(stream.getStreamIdentifier());
  const source = () => state.readable(name) ?? [];
  const subscription = options.hasSubscription();
  if (!subscription && !state.stream(name)) return 'not_found';
  const Case = ReadReq.Options.StreamOptions.RevisionOptionCase;
  const revisionCase = stream.getRevisionOptionCase();
  const revision = Number(stream.getRevision());
  const atEnd = revisionCase === Case.END;
  const atRevision = revisionCase === Case.REVISION;
  const endRevision = (state.stream(name)?.length ?? 0) - 1;
  return {
    source,
    forwardsFrom: (e) => (atEnd ? false : atRevision ? e.revision >= revision : true),
    backwardsFrom: (e) => (atRevision ? e.revision <= revision : true),
    beforeSubscriptionStart: (e) =>
      atEnd ? e.revision <= endRevision : atRevision ? e.revision <= revision : false,
    live: atEnd,
    matches: () => true,
  };
}

function allSelection(state: EsdbSimulatorState, options: ReadOptions): Selection {
  const all = options.getAll()!;
  const Case = ReadReq.Options.AllOptions.AllOptionCase;
  const optionCase = all.getAllOptionCase();
  const position = all.getPosition();
  const commit = Number(position?.getCommitPosition() ?? 0);
  const prepare = Number(position?.getPreparePosition() ?? 0);
  const compare = (e: StoredEvent) => e.commit - commit || e.prepare - prepare;
  const atEnd = optionCase === Case.END;
  const atPosition = optionCase === Case.POSITION;
  const endCommit = state.all.at(-1)?.commit ?? -1;
  return {
    source: () => state.all,
    forwardsFrom: (e) => (atEnd ? false : atPosition ? compare(e) >= 0 : true),
    backwardsFrom: (e) => (atPosition ? compare(e) <= 0 : true),
    beforeSubscriptionStart: (e) =>
      atEnd ? e.commit <= endCommit : atPosition ? compare(e) <= 0 : false,
    live: atEnd,
    matches: options.hasFilter() ? filterPredicate(options.getFilter()!) : () => true,
  };
}

function filterPredicate(filter: FilterOptions): Predicate {
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return () => true;
  const subject = (e: StoredEvent) => (onStream ? e.streamName : e.type);
  const prefixes = expression.getPrefixList();
  if (prefixes.length > 0) return (e) => prefixes.some((p) => subject(e).startsWith(p));
  const regex = new RegExp(expression.getRegex());
  return (e) => regex.test(subject(e));
}

function eventMessage(event: StoredEvent): ReadRespMessage {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(event.id))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.commit))
    .setPreparePosition(String(event.prepare))
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.contentType);
  metadata.set('created', event.created);
  return new ReadResp().setEvent(
    new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.commit)),
  );
}
