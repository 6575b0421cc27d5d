import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { GatewayIntentBits } from 'discord.js';
import { NecordModule } from 'necord';
import { LoggerModule } from 'nestjs-pino';
import { CoreModule, ProblemDetailsFilter, SecretBoxModule, createValidationPipe, type HeraldConfig } from '@herald/core';
import { AuditModule } from '@herald/audit';
import { AuthGuard, IdentityModule, SignInModule } from '@herald/identity';
import { createHeraldLogger, HERALD_LOGGER, MetricsController, loggingParams } from '@herald/observability';
import { ProjectionsModule } from '@herald/projections';
import { FrontingModule } from '@herald/fronting';
import { ImportsModule } from '@herald/imports';
import { PresenceModule } from '@herald/presence';
import { WinsModule } from '@herald/wins';
import { ProjectionsController } from './admin/projections.controller';
import { HealthController } from './health/health.controller';
import { StoresModule } from './stores.module';

export interface HeraldModuleOptions {
  config: HeraldConfig;
  /** The server follows the log live; the CLI runs one-shot and logs to stderr. */
  role: 'server' | 'cli';
}

/** The whole of Herald: the server and the operator CLI build the same module graph. */
@Module({})
export class HeraldModule {
  static forRoot({ config, role }: HeraldModuleOptions): DynamicModule {
    const logger = createHeraldLogger(config.logLevel, role === 'cli' ? 'stderr' : 'stdout');
    return {
      module: HeraldModule,
      imports: [
        LoggerModule.forRoot(loggingParams(logger)),
        StoresModule.forRoot(config, role === 'server' ? 'worker' : 'in-commit'),
        CoreModule,
        SecretBoxModule,
        TerminusModule,
        ProjectionsModule.forRoot({ follow: role === 'server' }),
        IdentityModule,
        SignInModule,
        AuditModule,
        CqrsModule.forRoot(),
        // Global: features add their timers to its SchedulerRegistry.
        ScheduleModule.forRoot(),
        WinsModule.forRoot({ schedule: role === 'server' }),
        FrontingModule.forRoot({ run: role === 'server' }),
        ImportsModule.forRoot({ schedule: role === 'server' }),
        PresenceModule.forRoot({ run: role === 'server' }),
        ...discordGateway(config, role),
      ],
      controllers: [HealthController, MetricsController, ProjectionsController],
      providers: [
        { provide: HERALD_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_GUARD, useExisting: AuthGuard },
      ],
    };
  }
}

/**
 * The bot on Discord's gateway (slash commands, guild joins): only for the server, with a token, and
 * unless DISCORD_GATEWAY=off. Without it the command classes stay plain providers and role changes
 * still go out over REST.
 */
function discordGateway(config: HeraldConfig, role: HeraldModuleOptions['role']): DynamicModule[] {
  const { token, gateway, devGuildId } = config.discord;
  if (role !== 'server' || !token || !gateway) return [];
  return [
    NecordModule.forRoot({
      token,
      // Slash commands and guild joins need no privileged intent.
      intents: [GatewayIntentBits.Guilds],
      // Guild commands update at once; global ones can take an hour to reach every client.
      development: devGuildId ? [devGuildId] : false,
      rest: { api: config.upstreams.discord },
    }),
  ];
}
