import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore, WrongExpectedRevision } from '@herald/eventstore';
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

/**
 * Runs a command against one stream: load, fold, decide, append with the revision that was read.
 * When another writer got there first it reloads and decides again, a bounded number of times.
 */
@Injectable()
export class CommandRunner {
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
        if (attempt >= maxRetries) {
          throw new ConcurrencyConflict('The resource kept changing concurrently; retry the request.', {
            cause: error,
          });
        }
        await sleep(retryDelay(attempt));
      }
    }
  }

  private async attempt<Command, Event extends DomainEvent, State>(
    request: RunCommand<Command, Event, State>,
  ): Promise<CommandResult<Event, State>> {
    const { streamId, decider, command, context, commandId } = request;
    const recorded = await this.store.readStream(streamId);
    const state = foldEvents(decider, recorded as unknown as Event[]);
    const readRevision = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1].revision;

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
    const metadata = eventMetadata(context, this.clock.now(), request.schemaVersion ?? 1);
    const events = decided.map((event, index) => ({
      id: commandId === undefined ? newEventId() : deterministicEventId(commandId, index),
      type: event.type as Event['type'],
      data: event.data as Event['data'],
      metadata: { ...metadata },
    }));
    const appended = await this.store.append(streamId, events, { expectedRevision: readRevision });
    return {
      events,
      state: decided.reduce((s, e) => decider.evolve(s, e), state),
      nextExpectedRevision: appended.nextExpectedRevision,
      position: appended.position,
    };
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
