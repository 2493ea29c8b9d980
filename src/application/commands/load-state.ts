import { fold, type Decider, type DomainEvent } from '../../domain/shared/decider.js';
import type { EventStore } from '../ports/event-store.js';

/** Recorded events as the domain sees them: type and data. */
export function asDomainEvents<E extends DomainEvent>(
  events: ReadonlyArray<{ type: string; data: unknown }>,
): E[] {
  return events.map((e) => ({ type: e.type, data: e.data }) as E);
}

/** A stream's current state: read it and fold it with the module's `evolve`. */
export async function loadState<Event extends DomainEvent, State>(
  store: EventStore,
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<State> {
  return fold(decider, asDomainEvents<Event>(await store.readStream(streamId)));
}
