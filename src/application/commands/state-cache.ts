import type { EventStore } from '../ports/event-store.js';

/**
 * Folded stream states kept in a process's memory, keyed by stream and the revision they cover
 * (issue 17: a push of one product used to load the whole catalog, mirror and VK observation,
 * ~5 MB of snapshot each, on every change). `readState` starts from a cached state and folds
 * only the events after it; a miss falls back to snapshot + tail.
 *
 * - **Never shared.** The folds update their Maps in place (catalog/state.ts), so the cache
 *   hands out and takes in copies: `get` clones, `put` clones unless the caller gives the state
 *   up. Only deciders registered here are cached: those whose `evolve` changes nothing but the
 *   state's own top-level Maps (their values are replaced, never changed), which a shallow copy
 *   of each Map therefore isolates.
 * - **Checked, not trusted.** An entry remembers the id of the last event it covers; a read
 *   from the cache starts at that revision and uses the entry only when the event there is
 *   still that one (a database recreated or restored under the same process is a miss).
 * - **Bounded.** Least recently used streams leave first once the entries' Map sizes add up to
 *   more than `maxEntries` (a 10,000-product shop holds about 30,000: catalog, mirror, VK).
 */
export interface CachedState<State> {
  state: State;
  /** the revision of the last event folded (-1: no stream yet) */
  revision: number;
  /** the id of the event at `revision`; null only for -1 */
  lastEventId: string | null;
  /** the revision of the stored snapshot the fold began from, as readState reports it */
  snapshotRevision: number | null;
}

interface Entry extends CachedState<unknown> {
  decider: object;
  weight: number;
}

export interface StateCacheLimits {
  /** the sum of the cached states' Map sizes (products, items, …) */
  maxEntries: number;
  maxStreams: number;
}

export const DEFAULT_STATE_CACHE_LIMITS: StateCacheLimits = {
  maxEntries: 100_000,
  maxStreams: 500,
};

const cacheable = new WeakSet<object>();

/**
 * Lets `decider`'s states be cached: its `evolve` must change only the state's top-level Maps
 * and Sets in place, and replace everything else (test/unit/state-cache.test.ts checks the
 * registered ones).
 */
export function registerCachedDecider(decider: object): void {
  cacheable.add(decider);
}

export const isCachedDecider = (decider: object): boolean => cacheable.has(decider);

/** A copy that shares nothing `evolve` changes in place: the top-level Maps and Sets. */
export function cloneState<State>(state: State): State {
  if (state === null || typeof state !== 'object') return state;
  const copy: Record<string, unknown> = { ...(state as Record<string, unknown>) };
  for (const [key, value] of Object.entries(copy)) {
    if (value instanceof Map) copy[key] = new Map(value);
    else if (value instanceof Set) copy[key] = new Set(value);
  }
  return copy as State;
}

function weightOf(state: unknown): number {
  let weight = 1;
  if (state && typeof state === 'object')
    for (const value of Object.values(state))
      if (value instanceof Map || value instanceof Set) weight += value.size;
  return weight;
}

export class StateCache {
  /** in use order: the first entry is the least recently used */
  private readonly entries = new Map<string, Entry>();
  private weight = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly limits: StateCacheLimits = DEFAULT_STATE_CACHE_LIMITS) {}

  /** A copy of the cached state of `streamId`, if it was folded by this very decider. */
  get<State>(decider: object, streamId: string): CachedState<State> | null {
    const entry = this.entries.get(streamId);
    if (!entry || entry.decider !== decider) {
      this.misses++;
      return null;
    }
    this.hits++;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    const { state, revision, lastEventId, snapshotRevision } = entry;
    return { state: cloneState(state as State), revision, lastEventId, snapshotRevision };
  }

  /**
   * Keeps `state` as the stream's at `revision` (a newer revision only: a slower reader never
   * winds an entry back). `giveUp`: the caller never touches `state` again, so no copy is made.
   */
  put<State>(
    decider: object,
    streamId: string,
    cached: CachedState<State>,
    options: { giveUp?: boolean } = {},
  ): void {
    if (!cacheable.has(decider)) return;
    if (cached.revision >= 0 && cached.lastEventId === null) return;
    const old = this.entries.get(streamId);
    if (old && old.decider === decider && old.revision > cached.revision) return;
    this.remove(streamId);
    const weight = weightOf(cached.state);
    if (weight > this.limits.maxEntries) return;
    const state = options.giveUp ? cached.state : cloneState(cached.state);
    this.entries.set(streamId, { ...cached, state, decider, weight });
    this.weight += weight;
    for (const [oldest] of this.entries) {
      if (this.weight <= this.limits.maxEntries && this.entries.size <= this.limits.maxStreams)
        break;
      this.remove(oldest);
    }
  }

  /** After a snapshot write: loads from the cache report it as their starting point. */
  noteSnapshot(streamId: string, revision: number): void {
    const entry = this.entries.get(streamId);
    if (entry && (entry.snapshotRevision ?? -1) < revision) entry.snapshotRevision = revision;
  }

  remove(streamId: string): void {
    const entry = this.entries.get(streamId);
    if (!entry) return;
    this.weight -= entry.weight;
    this.entries.delete(streamId);
  }

  get size(): { streams: number; entries: number } {
    return { streams: this.entries.size, entries: this.weight };
  }
}

const caches = new WeakMap<EventStore, StateCache>();

/**
 * Turns the cache on for every fold through this store instance (the composition root does,
 * for the web and worker processes; tests that build their own store fold without it).
 */
export function useStateCache(store: EventStore, cache: StateCache = new StateCache()): StateCache {
  caches.set(store, cache);
  return cache;
}

export const stateCacheOf = (store: EventStore): StateCache | undefined => caches.get(store);
