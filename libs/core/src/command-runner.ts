import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore, StreamDeleted, WrongExpectedRevision } from '@herald/eventstore';
import { CLOCK, type Clock } from './clock';
import type { CommandContext } from './command-context';
import { type Decider, type DomainEvent, foldEvents } from './decider';
import { ConcurrencyConflict } from './errors';
import type { EventMetadata, NewEvent, RecordedEvent } from './event';
import { deterministicEventId, newEventId } from './ids';

export const DEFAULT_COMMAND_RETRIES = 5;
const FIRST_RETRY_DELAY_MS = 5;
const MAX_RETRY_DELAY_MS = 200;

export interface RunCommand<Command, Event extends DomainEvent, State> {
  streamId: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  context: CommandContext;
  /**
   * Makes the command retry-safe: its events get ids derived from this id, and a command whose
   * events are already in the stream is not decided again.
   */
  commandId?: string;
  /** Schema version written on the events (default 1). */
  schemaVersion?: number;
  /** Reloads after a concurrency conflict before giving up (default 5). */
  maxRetries?: number;
}

export interface CommandResult<Event extends DomainEvent, State> {
  /** The events this command appended (or had appended before, on an idempotent retry). */
  events: Array<NewEvent<Event['type'], Event['data']>>;
  /** The stream's state after those events. */
  state: State;
  /** Revision of the stream's last event, `no_stream` when it is still empty. */
  nextExpectedRevision: number | 'no_stream';
  /** Global position of the last event appended, `null` when nothing was appended. */
  position: number | null;
}

/** Streams whose folded state each decider keeps; beyond this the least recently used goes. */
const FOLDED_STREAMS_PER_DECIDER = 10_000;

/** A stream's state as folded up to its event `revision`, whose id was `eventId`. */
interface FoldedStream {
  state: unknown;
  revision: number;
  eventId: string;
}

/**
 * Runs a command against one stream: load, fold, decide, append with the revision that was read.
 * When another writer got there first it reloads and decides again, a bounded number of times.
 *
 * It keeps the state it folded or appended last for each stream (per decider, bounded) and first
 * decides on that without reading: events are appended with the revision that state was folded to,
 * so if anyone appended since, the append fails and the command is decided again on a read. An
 * empty decision or a refusal cannot be checked that way, so those are decided again on a read.
 * A read starts from the last event folded, which must still be there with the same id (else the
 * stream was deleted, and it reads the whole stream), and folds only what came after. So a long
 * stream (a user's presence grows by an event per change) costs a command nothing to load, and a
 * stream changed elsewhere the events since. Commands with a `commandId` read the whole stream,
 * since they look for their own earlier events.
 */
@Injectable()
export class CommandRunner {
  /** By decider (one stream can be folded by several), then by stream. */
  private readonly folded = new Map<object, Map<string, FoldedStream>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run<Command, Event extends DomainEvent, State>(
    request: RunCommand<Command, Event, State>,
  ): Promise<CommandResult<Event, State>> {
    const maxRetries = request.maxRetries ?? DEFAULT_COMMAND_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        this.forget(request.decider, request.streamId);
        if (attempt >= maxRetries) {
          throw new ConcurrencyConflict('The resource kept changing concurrently; retry the request.', {
            cause: error,
          });
        }
        await sleep(retryDelay(attempt));
      }
    }
  }

  /** The stream's current state and the revision it was folded to, from what this runner folded last and the events since. */
  async fold<Event extends DomainEvent, State>(
    streamId: string,
    decider: Decider<unknown, Event, State>,
  ): Promise<{ state: State; revision: number | 'no_stream' }> {
    const { state, revision } = await this.load(streamId, decider, false);
    return { state, revision };
  }

  private async attempt<Command, Event extends DomainEvent, State>(
    request: RunCommand<Command, Event, State>,
  ): Promise<CommandResult<Event, State>> {
    const { streamId, decider, command, commandId } = request;
    const known = commandId === undefined ? this.folded.get(decider)?.get(streamId) : undefined;
    if (known !== undefined) {
      // Decide on the state folded last, unread: the append's expected revision proves it current.
      // An empty decision or a refusal proves nothing, so those are decided again on a read.
      let decided: Event[] = [];
      try {
        decided = decider.decide(command, known.state as State);
      } catch {
        decided = [];
      }
      if (decided.length > 0) {
        try {
          return await this.append(request, known.state as State, known.revision, decided);
        } catch (error) {
          if (!(error instanceof WrongExpectedRevision) && !(error instanceof StreamDeleted)) throw error;
          // Someone else appended since, or deleted the stream: read what is there, and decide again.
        }
      }
    }

    const loaded = await this.load(streamId, decider, commandId !== undefined);
    const { state, recorded } = loaded;
    const readRevision = loaded.revision;

    const earlier = commandId === undefined ? [] : eventsOfCommand(recorded, commandId);
    if (earlier.length > 0) {
      return {
        events: earlier as Array<NewEvent<Event['type'], Event['data']>>,
        state,
        nextExpectedRevision: readRevision,
        position: earlier[earlier.length - 1].position,
      };
    }

    const decided = decider.decide(command, state);
    if (decided.length === 0) {
      return { events: [], state, nextExpectedRevision: readRevision, position: null };
    }
    return this.append(request, state, readRevision, decided);
  }

  /** Appends what was decided on `state`, read at `readRevision`, and remembers the state after it. */
  private async append<Command, Event extends DomainEvent, State>(
    request: RunCommand<Command, Event, State>,
    state: State,
    readRevision: number | 'no_stream',
    decided: Event[],
  ): Promise<CommandResult<Event, State>> {
    const { streamId, decider, context, commandId } = request;
    const metadata = eventMetadata(context, this.clock.now(), request.schemaVersion ?? 1);
    const events = decided.map((event, index) => ({
      id: commandId === undefined ? newEventId() : deterministicEventId(commandId, index),
      type: event.type as Event['type'],
      data: event.data as Event['data'],
      metadata: { ...metadata },
    }));
    const appended = await this.store.append(streamId, events, { expectedRevision: readRevision });
    const after = decided.reduce((s, e) => decider.evolve(s, e), state);
    if (typeof appended.nextExpectedRevision === 'number') {
      this.remember(decider, streamId, { state: after, revision: appended.nextExpectedRevision, eventId: events[events.length - 1].id });
    }
    return { events, state: after, nextExpectedRevision: appended.nextExpectedRevision, position: appended.position };
  }

  /**
   * The stream's state and the revision it was folded to (`no_stream` when empty); `recorded` holds
   * the whole stream when `whole` is asked for, else only what was read.
   */
  private async load<Event extends DomainEvent, State>(
    streamId: string,
    decider: Decider<unknown, Event, State>,
    whole: boolean,
  ): Promise<{ state: State; revision: number | 'no_stream'; recorded: RecordedEvent[] }> {
    const known = whole ? undefined : this.folded.get(decider)?.get(streamId);
    if (known !== undefined) {
      const tail = await this.store.readStream(streamId, { fromRevision: known.revision });
      if (tail.length > 0 && tail[0].revision === known.revision && tail[0].id === known.eventId) {
        let state = known.state as State;
        for (let i = 1; i < tail.length; i++) state = decider.evolve(state, tail[i] as unknown as Event);
        const last = tail[tail.length - 1];
        if (tail.length > 1) this.remember(decider, streamId, { state, revision: last.revision, eventId: last.id });
        return { state, revision: last.revision, recorded: tail };
      }
    }
    const recorded = await this.store.readStream(streamId);
    const state = foldEvents(decider, recorded as unknown as Event[]);
    if (recorded.length === 0) {
      this.forget(decider, streamId);
      return { state, revision: 'no_stream', recorded };
    }
    const last = recorded[recorded.length - 1];
    this.remember(decider, streamId, { state, revision: last.revision, eventId: last.id });
    return { state, revision: last.revision, recorded };
  }

  private remember(decider: object, streamId: string, entry: FoldedStream): void {
    let streams = this.folded.get(decider);
    if (streams === undefined) this.folded.set(decider, (streams = new Map()));
    streams.delete(streamId);
    if (streams.size >= FOLDED_STREAMS_PER_DECIDER) streams.delete(streams.keys().next().value!);
    streams.set(streamId, entry);
  }

  private forget(decider: object, streamId: string): void {
    this.folded.get(decider)?.delete(streamId);
  }
}

/** The events a command appended earlier, found by their derived ids. */
function eventsOfCommand(recorded: RecordedEvent[], commandId: string): RecordedEvent[] {
  const first = recorded.findIndex((e) => e.id === deterministicEventId(commandId, 0));
  if (first < 0) return [];
  const found: RecordedEvent[] = [];
  for (let i = first; i < recorded.length && recorded[i].id === deterministicEventId(commandId, found.length); i++) {
    found.push(recorded[i]);
  }
  return found;
}

function eventMetadata(context: CommandContext, occurredAt: Date, schemaVersion: number): EventMetadata {
  const metadata: EventMetadata = {
    source: context.source,
    correlationId: context.correlationId,
    occurredAt: occurredAt.toISOString(),
    schemaVersion,
  };
  // Absent fields stay absent, so metadata reads the same from every store.
  if (context.actorId !== undefined) metadata.actorId = context.actorId;
  if (context.causationId !== undefined) metadata.causationId = context.causationId;
  if (context.guildId !== undefined) metadata.guildId = context.guildId;
  if (context.userId !== undefined) metadata.userId = context.userId;
  return metadata;
}

/** Exponential with jitter, so two writers that collided do not collide again in lockstep. */
function retryDelay(attempt: number): number {
  const base = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
