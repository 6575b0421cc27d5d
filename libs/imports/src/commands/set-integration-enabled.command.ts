import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '@herald/core';
import { PluginRegistry } from '../plugins/plugin-registry';
import { IntegrationStreams } from './integration-streams';

/** Pauses or resumes the scheduled syncs of a user's integration. */
export class SetIntegrationEnabledCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly pluginId: string,
    readonly enabled: boolean,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SetIntegrationEnabledCommand)
export class SetIntegrationEnabledHandler implements ICommandHandler<SetIntegrationEnabledCommand, void> {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly streams: IntegrationStreams,
  ) {}

  async execute({ userId, pluginId, enabled, context }: SetIntegrationEnabledCommand): Promise<void> {
    this.registry.get(pluginId);
    await this.streams.run({ userId, pluginId }, { type: 'SetEnabled', enabled }, context);
  }
}
