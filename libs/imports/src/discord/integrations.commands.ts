import { Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Context, createCommandGroupDecorator, Options, type SlashCommandContext, StringOption, Subcommand } from 'necord';
import { InvalidInput } from '@herald/core';
import { EPHEMERAL, GUILDS_AND_DMS, InteractionErrorFilter, NO_PINGS, userCall } from '@herald/discord';
import { AuthorizationFlow, type ConnectLink } from '../commands/authorization-flow';
import { SyncIntegrationCommand } from '../commands/sync-integration.command';
import { PluginRegistry } from '../plugins/plugin-registry';
import { IntegrationViews } from '../projections/integration-views';
import { integrationsText, syncResultText } from './replies';

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,31}$/;

export class IntegrationSyncOptions {
  @StringOption({ name: 'plugin', description: 'The integration to sync, as /integrations list names it (e.g. fitbit)', required: true, min_length: 1, max_length: 32 })
  plugin: string;
}

/** `/integrations …`: each member's own connections, so usable in servers and in DMs with the bot. */
const IntegrationsCommandGroup = createCommandGroupDecorator({
  name: 'integrations',
  description: 'Connect services (Fitbit, …) whose daily values Herald imports',
  contexts: GUILDS_AND_DMS,
});

/** /integrations list (status and a connect link per plugin), /integrations sync. Every answer is ephemeral. */
@Injectable()
@IntegrationsCommandGroup()
@UseFilters(
  new InteractionErrorFilter({
    'PLUGIN.NOT_CONFIGURED': 'This integration is not available yet: the operator has not configured it.',
    'INTEGRATION.NOT_CONNECTED': 'This integration is not connected: /integrations list gives you a link to connect it.',
  }),
)
export class IntegrationsCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly views: IntegrationViews,
    private readonly authorization: AuthorizationFlow,
    private readonly registry: PluginRegistry,
  ) {}

  @Subcommand({ name: 'list', description: 'Your integrations: status, last sync, and a link to connect' })
  async onList(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { userId } = userCall(interaction);
    await interaction.deferReply({ flags: EPHEMERAL });
    const views = await this.views.all(userId);
    const links = new Map<string, ConnectLink>();
    for (const view of views) {
      const needsLink = view.configured && (!view.connected || view.status === 'reconnect_needed');
      if (needsLink) links.set(view.id, await this.authorization.issueConnectLink(userId, view.id));
    }
    await interaction.editReply({ content: integrationsText(views, links), allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'sync', description: 'Import the last 7 days of an integration now' })
  async onSync(@Context() [interaction]: SlashCommandContext, @Options() { plugin }: IntegrationSyncOptions): Promise<void> {
    const { userId, context } = userCall(interaction);
    if (!PLUGIN_ID.test(plugin)) {
      throw new InvalidInput('Invalid option: plugin.', {
        errors: [{ field: 'plugin', messages: [`plugin must be one of ${this.registry.ids().join(', ')}`] }],
      });
    }
    const { name } = this.registry.get(plugin);
    await interaction.deferReply({ flags: EPHEMERAL });
    const result = await this.bus.execute(new SyncIntegrationCommand(userId, plugin, {}, context));
    await interaction.editReply({ content: syncResultText(name, result), allowedMentions: NO_PINGS });
  }
}
