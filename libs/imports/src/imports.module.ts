import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CoreModule } from '@herald/core';
import { HttpClientModule } from '@herald/http-client';
import { OAuth2TokenClient } from './clients/oauth2-token.client';
import { AuthorizationFlow } from './commands/authorization-flow';
import { ConfigurePluginHandler } from './commands/configure-plugin.command';
import { DisconnectIntegrationHandler } from './commands/disconnect-integration.command';
import { IntegrationStreams } from './commands/integration-streams';
import { IntegrationTokens } from './commands/integration-tokens';
import { PluginSettings } from './commands/plugin-settings';
import { SetIntegrationEnabledHandler } from './commands/set-integration-enabled.command';
import { SyncIntegrationHandler } from './commands/sync-integration.command';
import { importsDiscordProviders } from './discord';
import { AdminPluginsController } from './http/admin-plugins.controller';
import { DailyMetricsController } from './http/daily-metrics.controller';
import { OAuthController } from './http/oauth.controller';
import { PluginsController } from './http/plugins.controller';
import type { DataImportPlugin } from './domain/plugin';
import { IMPORT_PLUGINS, PluginRegistry } from './plugins/plugin-registry';
import { REGISTERED_PLUGINS } from './plugins/registered-plugins';
import { DailyMetricValuesProjection } from './projections/daily-metric-values.projection';
import { ImportsReadModel } from './projections/imports.read-model';
import { IntegrationViews } from './projections/integration-views';
import { IntegrationsProjection } from './projections/integrations.projection';
import { IntegrationSyncs } from './reactors/integration-syncs';
import { SyncStatusStore } from './reactors/sync-status';
import { IMPORTS_OPTIONS, type ImportsModuleOptions, SyncScheduler } from './reactors/sync-scheduler';

const commandHandlers = [
  ConfigurePluginHandler,
  DisconnectIntegrationHandler,
  SetIntegrationEnabledHandler,
  SyncIntegrationHandler,
];

/**
 * Data imports: OAuth2 plugins (`REGISTERED_PLUGINS`) feed daily metric values. Needs
 * `EVENT_STORE`, `READ_STORE`, `HERALD_CONFIG`, `HeraldMetrics` and `SECRET_BOX` from the
 * application; with `schedule`, the server syncs every enabled integration hourly.
 */
@Module({})
export class ImportsModule {
  static forRoot(options: ImportsModuleOptions): DynamicModule {
    return {
      module: ImportsModule,
      imports: [CoreModule, CqrsModule, HttpClientModule],
      controllers: [PluginsController, OAuthController, AdminPluginsController, DailyMetricsController],
      providers: [
        ...REGISTERED_PLUGINS,
        { provide: IMPORT_PLUGINS, inject: REGISTERED_PLUGINS, useFactory: (...plugins: DataImportPlugin[]) => plugins },
        PluginRegistry,
        ...commandHandlers,
        ...importsDiscordProviders,
        OAuth2TokenClient,
        PluginSettings,
        IntegrationStreams,
        IntegrationTokens,
        AuthorizationFlow,
        IntegrationSyncs,
        SyncStatusStore,
        SyncScheduler,
        ImportsReadModel,
        IntegrationViews,
        IntegrationsProjection,
        DailyMetricValuesProjection,
        { provide: IMPORTS_OPTIONS, useValue: options },
      ],
      exports: [PluginRegistry, IntegrationSyncs, SyncScheduler, ImportsReadModel, AuthorizationFlow],
    };
  }
}
