import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  type CommandContext,
  ConcurrencyConflict,
  DEFAULT_COMMAND_RETRIES,
  type EventMetadata,
  type NewEvent,
  newEventId,
  streams,
} from '@herald/core';
import { EVENT_STORE, type EventStore, WrongExpectedRevision } from '@herald/eventstore';
import type { IntegrationEvent } from '../domain/events';
import { type IntegrationCommand, integrationDecider, type IntegrationState } from '../domain/integration.decider';

/** One user's connection to one plugin. */
export interface IntegrationKey {
  userId: string;
  pluginId: string;
}

export interface LoadedIntegration {
  state: IntegrationState;
  /** Revision of the stream's last event, `no_stream` when it is empty. */
  revision: number | 'no_stream';
}

export interface IntegrationRun {
  events: IntegrationEvent[];
  state: IntegrationState;
}

/** Streams whose folded state stays in memory; beyond it the least recently used is folded again when needed. */
const CACHED_STREAMS = 5_000;

export function integrationStreamId({ userId, pluginId }: IntegrationKey): string {
  return streams.integration(userId, pluginId);
}

/**
 * Loads and decides on `integration-<userId>_<pluginId>` streams. Like the `CommandRunner` it
 * appends with the revision it read and decides again after a conflict, but it keeps each
 * stream's folded state and reads only the events appended since (by any process): an
 * integration's stream grows every hour, and every sync reads it.
 */
@Injectable()
export class IntegrationStreams {
  private readonly folded = new Map<string, LoadedIntegration>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async load(key: IntegrationKey): Promise<LoadedIntegration> {
    const streamId = integrationStreamId(key);
    let loaded = this.folded.get(streamId) ?? { state: integrationDecider.initialState(), revision: 'no_stream' as const };
    const fromRevision = loaded.revision === 'no_stream' ? 0 : loaded.revision + 1;
    const recorded = await this.store.readStream(streamId, { fromRevision });
    if (recorded.length > 0) {
      const state = (recorded as unknown as IntegrationEvent[]).reduce(integrationDecider.evolve, loaded.state);
      loaded = { state, revision: recorded[recorded.length - 1].revision };
    }
    this.remember(streamId, loaded);
    return loaded;
  }

  /** Decides `command` on the current state and appends what it decides; throws `ConcurrencyConflict` if the stream keeps moving. */
  async run(key: IntegrationKey, command: IntegrationCommand, context: CommandContext): Promise<IntegrationRun> {
    const streamId = integrationStreamId(key);
    for (let attempt = 0; ; attempt++) {
      const loaded = await this.load(key);
      const decided = integrationDecider.decide(command, loaded.state);
      if (decided.length === 0) return { events: [], state: loaded.state };
      const metadata = this.metadata(key, context);
      const events: NewEvent[] = decided.map((event) => ({ id: newEventId(), type: event.type, data: event.data, metadata }));
      try {
        const appended = await this.store.append(streamId, events, { expectedRevision: loaded.revision });
        const state = decided.reduce(integrationDecider.evolve, loaded.state);
        this.remember(streamId, { state, revision: appended.nextExpectedRevision });
        return { events: decided, state };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (attempt >= DEFAULT_COMMAND_RETRIES) {
          throw new ConcurrencyConflict('The integration kept changing concurrently; retry the request.', { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  private metadata(key: IntegrationKey, context: CommandContext): EventMetadata {
    const metadata: EventMetadata = {
      source: context.source,
      correlationId: context.correlationId,
      occurredAt: this.clock.now().toISOString(),
      schemaVersion: 1,
      userId: key.userId,
    };
    if (context.actorId !== undefined) metadata.actorId = context.actorId;
    if (context.causationId !== undefined) metadata.causationId = context.causationId;
    return metadata;
  }

  private remember(streamId: string, loaded: LoadedIntegration): void {
    this.folded.delete(streamId);
    this.folded.set(streamId, loaded);
    if (this.folded.size > CACHED_STREAMS) this.folded.delete(this.folded.keys().next().value as string);
  }
}
