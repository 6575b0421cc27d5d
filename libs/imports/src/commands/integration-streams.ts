import { Injectable } from '@nestjs/common';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
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

export function integrationStreamId({ userId, pluginId }: IntegrationKey): string {
  return streams.integration(userId, pluginId);
}

/**
 * Loads and decides on `integration-<userId>_<pluginId>` streams through the `CommandRunner`, whose
 * folded states spare every hourly sync a read of the whole, ever-growing stream. Events carry the
 * integration's user.
 */
@Injectable()
export class IntegrationStreams {
  constructor(private readonly commands: CommandRunner) {}

  load(key: IntegrationKey): Promise<LoadedIntegration> {
    return this.commands.fold(integrationStreamId(key), integrationDecider);
  }

  /** Decides `command` on the current state and appends what it decides; throws `ConcurrencyConflict` if the stream keeps moving. */
  async run(key: IntegrationKey, command: IntegrationCommand, context: CommandContext): Promise<IntegrationRun> {
    const { events, state } = await this.commands.run({
      streamId: integrationStreamId(key),
      decider: integrationDecider,
      command,
      context: { ...context, userId: key.userId },
    });
    return { events: events as IntegrationEvent[], state };
  }
}
