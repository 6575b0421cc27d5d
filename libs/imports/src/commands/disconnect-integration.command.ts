import { Logger } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '@herald/core';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SyncStatusStore } from '../reactors/sync-status';
import { IntegrationStreams } from './integration-streams';
import { IntegrationTokens } from './integration-tokens';
import { PluginSettings } from './plugin-settings';

/** Disconnects a user's integration and forgets its tokens; the values imported so far stay. */
export class DisconnectIntegrationCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly pluginId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DisconnectIntegrationCommand)
export class DisconnectIntegrationHandler implements ICommandHandler<DisconnectIntegrationCommand, void> {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly registry: PluginRegistry,
    private readonly streams: IntegrationStreams,
    private readonly tokens: IntegrationTokens,
    private readonly settings: PluginSettings,
    private readonly statuses: SyncStatusStore,
  ) {}

  async execute({ userId, pluginId, context }: DisconnectIntegrationCommand): Promise<void> {
    const plugin = this.registry.get(pluginId);
    const key = { userId, pluginId };
    const { state } = await this.streams.load(key);
    // Read before the disconnection: afterwards the tokens are shredded.
    const credentials = state.connected && state.tokens !== null && state.reconnect === null ? await this.tokens.open(key, state.tokens) : null;
    await this.streams.run(key, { type: 'Disconnect' }, context);
    await this.tokens.forget(key);
    await this.statuses.forget(key);
    if (credentials !== null && plugin.revokeTokens) {
      // Best effort: Herald no longer holds the tokens either way.
      await plugin
        .revokeTokens(credentials.credentials, await this.settings.config(plugin))
        .catch(() => this.logger.warn(`${pluginId} did not confirm revoking the tokens of user ${userId}`));
    }
  }
}
