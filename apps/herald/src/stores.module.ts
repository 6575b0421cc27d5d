import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { EVENT_STORE, createEsdbEventStore, createSqliteEventStore, type EventStore } from '@herald/eventstore';
import { READ_STORE, createMongoReadStore, createSqliteReadStore, type ReadStore } from '@herald/readstore';
import { HeraldMetrics, instrumentEventStore } from '@herald/observability';
import type { WalCheckpoints } from '@herald/sqlite';

/** Opens the event log and the read models named by the configuration; one code path for every adapter. */
@Global()
@Module({})
export class StoresModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  /**
   * A server checkpoints its SQLite files on a worker, so its event loop never waits on the disk for
   * them; the CLI leaves that to SQLite: a batch job, and a running server checkpoints the same files.
   */
  static forRoot(config: HeraldConfig, checkpoints: WalCheckpoints): DynamicModule {
    return {
      module: StoresModule,
      providers: [
        { provide: HERALD_CONFIG, useValue: config },
        HeraldMetrics,
        {
          provide: EVENT_STORE,
          inject: [HeraldMetrics],
          useFactory: (metrics: HeraldMetrics) => instrumentEventStore(openEventStore(config, checkpoints), metrics),
        },
        { provide: READ_STORE, useFactory: () => openReadStore(config, checkpoints) },
      ],
      exports: [HERALD_CONFIG, HeraldMetrics, EVENT_STORE, READ_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.eventStore.close(), this.readStore.close()]);
  }
}

export function openEventStore(config: HeraldConfig, checkpoints: WalCheckpoints): EventStore {
  if (config.eventStore.kind === 'esdb') return createEsdbEventStore({ url: config.eventStore.url });
  mkdirSync(config.dataDir, { recursive: true });
  return createSqliteEventStore({
    path: join(config.dataDir, 'events.sqlite'),
    synchronous: config.eventStore.synchronous,
    fsync: config.eventStore.fsync,
    checkpoints,
    pollIntervalMs: config.pollIntervalMs,
  });
}

export function openReadStore(config: HeraldConfig, checkpoints: WalCheckpoints): ReadStore {
  if (config.readStore.kind === 'mongo') {
    return createMongoReadStore({ url: config.readStore.url, databasePrefix: config.readStore.databasePrefix });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return createSqliteReadStore({ path: join(config.dataDir, 'readmodels.sqlite'), checkpoints });
}
