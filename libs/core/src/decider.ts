/** An event as a decider sees it: a past-tense fact without envelope. */
export interface DomainEvent<
  Type extends string = string,
  Data extends Record<string, unknown> = Record<string, unknown>,
> {
  type: Type;
  data: Data;
}

/**
 * A stream's behaviour as three pure functions: `decide` turns a command and the current state
 * into new events (throwing a `HeraldError` when a rule forbids it), `evolve` folds one event into
 * the state, and `initialState` is the state of an empty stream.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export function foldEvents<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
