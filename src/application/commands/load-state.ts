import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import type { SnapshotCodec } from '../../domain/shared/snapshot.js';
import type { EventStore } from '../ports/event-store.js';
import './cached-deciders.js';
import { snapshotCodecOf } from './snapshotted.js';
import { isCachedDecider, stateCacheOf } from './state-cache.js';

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
 *
 * When the store has a state cache (state-cache.ts) and the decider is cached, a state kept
 * from an earlier fold is the starting point instead, if the event it ends with is still
 * there; `cache: false` bypasses it (and drops the stream's entry).
 */
export async function readState<Event extends DomainEvent, State>(
  store: EventStore,
  decider: Folding<Event, State>,
  streamId: string,
  options: { codec?: SnapshotCodec<State> | null; cache?: boolean } = {},
): Promise<LoadedState<State> & { lastEventId: string | null }> {
  const cache = isCachedDecider(decider) ? stateCacheOf(store) : undefined;
  if (cache && options.cache === false) cache.remove(streamId);
  else if (cache) {
    const cached = cache.get<State>(decider, streamId);
    const loaded = cached && (await foldFrom(store, decider, streamId, cached, true));
    if (loaded) {
      if (loaded.revision > cached.revision) cache.put(decider, streamId, loaded);
      return loaded;
    }
    cache.remove(streamId);
  }
  const loaded = await foldFrom(
    store,
    decider,
    streamId,
    await fromSnapshot(store, decider, streamId, options),
    cache !== undefined,
  );
  if (!loaded) throw new Error(`stream ${streamId} changed under its fold`);
  cache?.put(decider, streamId, loaded);
  return loaded;
}

type Start<State> = LoadedState<State> & { lastEventId: string | null };

async function fromSnapshot<State>(
  store: EventStore,
  decider: Folding<DomainEvent, State>,
  streamId: string,
  options: { codec?: SnapshotCodec<State> | null },
): Promise<Start<State>> {
  const codec = options.codec === undefined ? snapshotCodecOf(decider) : options.codec;
  if (codec) {
    const snapshot = await store.readSnapshot(streamId);
    if (snapshot && snapshot.schemaVersion === codec.schemaVersion) {
      const state = decodeOrNull(codec, snapshot.state);
      const revision = snapshot.revision;
      if (state !== null) return { state, revision, snapshotRevision: revision, lastEventId: null };
    }
  }
  return { state: decider.initialState(), revision: -1, snapshotRevision: null, lastEventId: null };
}

/**
 * Folds the events after `start.revision` into `start.state`. With `learnId` (a cache in use)
 * the read begins at that revision itself, to learn (or, for a cached start, check) the id of
 * the event there: null when a cached start's event is gone (the stream was recreated), so the
 * caller folds afresh. A snapshot's event may be missing (events restored from an older
 * backup): the fold goes on as before, without an id, and the conflict of the next append
 * sorts it out (command-handler.ts).
 */
async function foldFrom<Event extends DomainEvent, State>(
  store: EventStore,
  decider: Folding<Event, State>,
  streamId: string,
  start: Start<State>,
  learnId: boolean,
): Promise<Start<State> | null> {
  let { state, revision, lastEventId } = start;
  const verify = lastEventId !== null;
  let first = learnId && revision >= 0;
  const fromRevision = first ? revision : revision + 1;
  for await (const e of store.readStreamIterable(streamId, { fromRevision })) {
    if (first) {
      first = false;
      if (e.revision === revision) {
        if (verify && e.id !== lastEventId) return null;
        lastEventId = e.id;
        continue;
      }
      if (verify) return null;
    }
    state = decider.evolve(state, { type: e.type, data: e.data } as Event);
    revision = e.revision;
    lastEventId = e.id;
  }
  if (first && verify) return null;
  return { state, revision, snapshotRevision: start.snapshotRevision, lastEventId };
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
