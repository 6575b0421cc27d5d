import { type DynamicModule, Global, type INestApplication, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createValidationPipe, HERALD_CONFIG, loadConfig, ProblemDetailsFilter } from '@herald/core';
import { createSqliteEventStore, EVENT_STORE, type EventStore } from '@herald/eventstore';
import { createSqliteReadStore, READ_STORE, type ReadStore } from '@herald/readstore';
// Through the public barrel, as the application takes it.
import { ApiTokensProjection, AuthGuard, IdentityModule, TokenService } from '@herald/identity';

export interface IdentityTestApp {
  app: INestApplication;
  eventStore: EventStore;
  readStore: ReadStore;
  tokens: TokenService;
  /** Applies every token event of the log to the read model, as the projection runner would. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Identity wired as the server wires it (global guard, problem+json filter, validation pipe) on
 * real SQLite stores in a temporary data dir, with `extraControllers` to exercise the guard.
 */
export async function createIdentityTestApp(options: {
  adminToken: string;
  extraControllers?: Type[];
}): Promise<IdentityTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-identity-'));
  const eventStore = createSqliteEventStore({ path: join(dataDir, 'events.sqlite') });
  const readStore = createSqliteReadStore({ path: join(dataDir, 'readmodels.sqlite') });
  const config = loadConfig({ HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: options.adminToken }, dataDir);

  @Global()
  @Module({})
  class TestStoresModule {
    static register(): DynamicModule {
      return {
        module: TestStoresModule,
        providers: [
          { provide: EVENT_STORE, useValue: eventStore },
          { provide: READ_STORE, useValue: readStore },
          { provide: HERALD_CONFIG, useValue: config },
        ],
        exports: [EVENT_STORE, READ_STORE, HERALD_CONFIG],
      };
    }
  }

  @Module({
    imports: [TestStoresModule.register(), IdentityModule],
    controllers: options.extraControllers ?? [],
    providers: [
      { provide: APP_GUARD, useExisting: AuthGuard },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      { provide: APP_PIPE, useFactory: createValidationPipe },
    ],
  })
  class IdentityTestModule {}

  const app = await NestFactory.create<NestExpressApplication>(IdentityTestModule, { logger: false });
  await app.init();
  const projection = app.get(ApiTokensProjection);

  return {
    app,
    eventStore,
    readStore,
    tokens: app.get(TokenService),
    async catchUp() {
      for (let fromPosition: number | undefined; ; ) {
        const page = await eventStore.readAll({ fromPosition, filter: projection.filter });
        if (page.length === 0) return;
        await readStore.transaction(async (session) => {
          for (const event of page) await projection.apply(event, session);
        });
        fromPosition = page[page.length - 1].position + 1;
      }
    },
    async close() {
      await app.close();
      await Promise.all([eventStore.close(), readStore.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
