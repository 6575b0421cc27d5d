import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@herald/audit';
import { CoreModule } from '@herald/core';
import { HttpClientModule } from '@herald/http-client';
import { IdentityModule } from '@herald/identity';
import { DiscordRolesClient } from './clients/discord-roles.client';
import { OpenFrontClient } from './clients/openfront.client';
import { ConfigureGuildHandler } from './commands/configure-guild.command';
import { LinkPlayerHandler } from './commands/link-player.command';
import { RegisterGuildHandler } from './commands/register-guild.command';
import { RemoveGuildHandler } from './commands/remove-guild.command';
import { SyncGuildHandler } from './commands/sync-guild.command';
import { UnlinkPlayerHandler } from './commands/unlink-player.command';
import { WinsState } from './commands/wins-state';
import { winsDiscordProviders } from './discord';
import { winsControllers } from './http';
import { WinsGuildStateView } from './projections/wins.guild-state-view';
import { WinsProjection } from './projections/wins.projection';
import { WinsReadModel } from './projections/wins.read-model';
import { GuildSyncRuns } from './reactors/guild-sync-runs';
import { MemberSync } from './reactors/member-sync';
import { PlayerStats } from './reactors/player-stats';
import { RoleReconciler } from './reactors/role-reconciler';
import { SyncScheduler, WINS_OPTIONS, type WinsModuleOptions } from './reactors/sync-scheduler';

const commandHandlers = [
  ConfigureGuildHandler,
  LinkPlayerHandler,
  RegisterGuildHandler,
  RemoveGuildHandler,
  SyncGuildHandler,
  UnlinkPlayerHandler,
];
const clients = [OpenFrontClient, DiscordRolesClient];
const reactors = [GuildSyncRuns, MemberSync, PlayerStats, RoleReconciler];


/**
 * OpenFront wins become Discord roles, per guild. Needs `EVENT_STORE`, `READ_STORE`,
 * `HERALD_CONFIG`, `HeraldMetrics`, the `ProjectionRunner` and `ScheduleModule.forRoot()` from the application.
 */
@Module({})
export class WinsModule {
  static forRoot(options: WinsModuleOptions): DynamicModule {
    return {
      module: WinsModule,
      // Identity and audit serve the slash commands /api_token and /audit.
      imports: [CoreModule, CqrsModule, HttpClientModule, IdentityModule, AuditModule],
      controllers: winsControllers,
      providers: [
        ...winsDiscordProviders,
        ...commandHandlers,
        ...clients,
        ...reactors,
        WinsState,
        WinsReadModel,
        WinsProjection,
        WinsGuildStateView,
        SyncScheduler,
        { provide: WINS_OPTIONS, useValue: options },
      ],
      exports: [WinsReadModel, GuildSyncRuns, WinsState],
    };
  }
}
