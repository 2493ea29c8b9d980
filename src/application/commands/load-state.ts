import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import type { SnapshotCodec } from '../../domain/shared/snapshot.js';
import type { EventStore } from '../ports/event-store.js';
import { snapshotCodecOf } from './snapshotted.js';

/** Recorded events as the domain sees them: type and data. */
export function asDomainEvents<E extends DomainEvent>(
  events: ReadonlyArray<{ type: string; data: unknown }>,
): E[] {
  return events.map((e) => ({ type: e.type, data: e.data }) as E);
}

type Folding<Event extends DomainEvent, State> = Pick<
  Decider<unknown, Event, State>,
  'initialState' | 'evolve'
>;

export interface LoadedState<State> {
  state: State;
  /** the revision of the last event in `state` (-1: no stream) */
  revision: number;
  /** the revision of the snapshot it started from; null when folded from the first event */
  snapshotRevision: number | null;
}

/**
 * A stream's state and revision: the newest snapshot the decider's codec can read (see
 * snapshotted.ts), then only the events after it, streamed page by page so the fold holds one
 * page, never the history. A snapshot of another schema version, or one that does not decode,
 * is ignored: the stream is folded from its first event. `codec: null` ignores snapshots.
 */
export async function readState<Event extends DomainEvent, State>(
  store: EventStore,
  decider: Folding<Event, State>,
  streamId: string,
  options: { codec?: SnapshotCodec<State> | null } = {},
): Promise<LoadedState<State>> {
  const codec = options.codec === undefined ? snapshotCodecOf(decider) : options.codec;
  let state: State | null = null;
  let revision = -1;
  let snapshotRevision: number | null = null;
  if (codec) {
    const snapshot = await store.readSnapshot(streamId);
    if (snapshot && snapshot.schemaVersion === codec.schemaVersion) {
      state = decodeOrNull(codec, snapshot.state);
      if (state !== null) revision = snapshotRevision = snapshot.revision;
    }
  }
  state ??= decider.initialState();
  for await (const e of store.readStreamIterable(streamId, { fromRevision: revision + 1 })) {
    state = decider.evolve(state, { type: e.type, data: e.data } as Event);
    revision = e.revision;
  }
  return { state, revision, snapshotRevision };
}

function decodeOrNull<State>(codec: SnapshotCodec<State>, json: unknown): State | null {
  try {
    return codec.fromJSON(json);
  } catch {
    // A snapshot that does not fit is only a lost shortcut: the events are still all there.
    return null;
  }
}

/**
 * A stream's current state (snapshot, then the events after it). Reads only: snapshots are
 * written by the command handler, through which every snapshotted stream is written.
 */
export async function loadState<Event extends DomainEvent, State>(
  store: EventStore,
  decider: Folding<Event, State>,
  streamId: string,
): Promise<State> {
  return (await readState(store, decider, streamId)).state;
}
