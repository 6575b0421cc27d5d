import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, type HeraldConfig } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { ProjectionRunner } from '@herald/projections';
import { createHeraldApp } from '../../apps/herald/src/create-herald-app';

export const OPERATOR_TOKEN = 'operator-token-for-tests-only';

export interface HeraldUnderTest {
  app: NestExpressApplication;
  config: HeraldConfig;
  dataDir: string;
  eventStore: EventStore;
  projections: ProjectionRunner;
  /** Closes the app and deletes its data directory. */
  close(): Promise<void>;
}

/** A whole Herald server in this process, on a fresh data directory, listening on a free port. */
export async function startHerald(env: Record<string, string> = {}): Promise<HeraldUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const config = loadConfig(
    { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: OPERATOR_TOKEN, LOG_LEVEL: 'silent', PORT: '0', HERALD_POLL_INTERVAL_MS: '50', ...env },
    dataDir,
  );
  const app = await createHeraldApp(config);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    config,
    dataDir,
    eventStore: app.get<EventStore>(EVENT_STORE),
    projections: app.get(ProjectionRunner),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
