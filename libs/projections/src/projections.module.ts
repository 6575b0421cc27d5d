import {
  BeforeApplicationShutdown,
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { HeraldMetrics } from '@herald/observability';
import { PROJECTION_METADATA, type Projection } from './projection';
import { type ProjectionLogger, ProjectionRunner } from './projection-runner';
import { BackgroundRebuilds } from './background-rebuilds';

export interface ProjectionsModuleOptions {
  /** Follow the log live (the server); off for one-shot processes such as the CLI. */
  follow: boolean;
}

const OPTIONS = Symbol('PROJECTIONS_OPTIONS');

/** Finds every provider marked `@RegisterProjection()` and runs them with one `ProjectionRunner`. */
@Module({})
export class ProjectionsModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(OPTIONS) private readonly options: ProjectionsModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly rebuilds: BackgroundRebuilds,
  ) {}

  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: OPTIONS, useValue: options },
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE, READ_STORE, HeraldMetrics],
          useFactory: (eventStore: EventStore, readStore: ReadStore, metrics: HeraldMetrics) => {
            const runner = new ProjectionRunner(eventStore, readStore, [], { logger: projectionLogger() });
            registerProjectionMetrics(runner, metrics);
            return runner;
          },
        },
        { provide: BackgroundRebuilds, inject: [ProjectionRunner], useFactory: (runner: ProjectionRunner) => new BackgroundRebuilds(runner, projectionLogger()) },
      ],
      exports: [ProjectionRunner, BackgroundRebuilds],
    };
  }

  /** Every provider is constructed by now, so discovery sees real instances. */
  onModuleInit(): void {
    this.runner.register(
      this.discovery
        .getProviders()
        .filter((wrapper) => wrapper.metatype && this.reflector.get(PROJECTION_METADATA, wrapper.metatype))
        .map((wrapper) => wrapper.instance as Projection),
    );
  }

  onApplicationBootstrap(): void {
    if (this.options.follow) this.runner.start();
  }

  /** Runs before the stores close: the batch in flight commits with its checkpoint. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.rebuilds.stop(), this.runner.stop()]);
  }
}

function projectionLogger(): ProjectionLogger {
  const logger = new Logger('Projections');
  return { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}

function registerProjectionMetrics(runner: ProjectionRunner, metrics: HeraldMetrics): void {
  metrics.gauge('herald_projection_lag_events', 'Events a projection has yet to apply (counted up to 10000)', ['projection'], async (gauge) => {
    for (const { name } of runner.status()) gauge.set({ projection: name }, await runner.lag(name));
  });
  metrics.gauge('herald_projection_position', 'Last global position a projection applied', ['projection'], async (gauge) => {
    for (const status of runner.status()) gauge.set({ projection: status.name }, status.position ?? -1);
  });
  metrics.gauge('herald_projection_failed', '1 while a projection is stopped at an event that fails', ['projection'], async (gauge) => {
    for (const status of runner.status()) gauge.set({ projection: status.name }, status.state === 'failed' ? 1 : 0);
  });
}
