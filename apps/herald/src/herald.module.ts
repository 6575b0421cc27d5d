import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { CoreModule, ProblemDetailsFilter, SecretBoxModule, createValidationPipe, type HeraldConfig } from '@herald/core';
import { AuditModule } from '@herald/audit';
import { AuthGuard, IdentityModule } from '@herald/identity';
import { MetricsController, loggingParams } from '@herald/observability';
import { ProjectionsModule } from '@herald/projections';
import { WinsModule } from '@herald/wins';
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
    return {
      module: HeraldModule,
      imports: [
        LoggerModule.forRoot(loggingParams(config.logLevel, role === 'cli' ? 'stderr' : 'stdout')),
        StoresModule.forRoot(config),
        CoreModule,
        SecretBoxModule,
        TerminusModule,
        ProjectionsModule.forRoot({ follow: role === 'server' }),
        IdentityModule,
        AuditModule,
        CqrsModule.forRoot(),
        WinsModule.forRoot({ schedule: role === 'server' }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_GUARD, useExisting: AuthGuard },
      ],
    };
  }
}
