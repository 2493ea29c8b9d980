/**
 * A domain module: `initialState`, `evolve(state, event)` and a pure `decide(command, state, ctx)`
 * that returns the new events, or `[]` when the command changes nothing (so repeating a command
 * is harmless). Clock and ids come in through the context.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface DecideContext {
  now: Date;
  /** a fresh UUID */
  newId(): string;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State, ctx: DecideContext): Event[];
}

/** Thrown by `decide` when a command is refused; carries a message fit for the user. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}
