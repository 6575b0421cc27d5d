import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CLOCK, type Clock, loadConfig, type HeraldConfig } from '@herald/core';
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

export interface StartHeraldOptions {
  /** The time Herald reads instead of the system's (e.g. a `ManualClock`, to fix when a link is made). */
  clock?: Clock;
  /** The port to listen on (default: any free one), for when HERALD_PUBLIC_URL must name it beforehand. */
  port?: number;
}

/** A whole Herald server in this process, on a fresh data directory, listening on a free port. */
export async function startHerald(
  env: Record<string, string> = {},
  options: StartHeraldOptions = {},
): Promise<HeraldUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const config = loadConfig(
    { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: OPERATOR_TOKEN, LOG_LEVEL: 'silent', PORT: '0', HERALD_POLL_INTERVAL_MS: '50', ...env },
    dataDir,
  );
  const app = await createHeraldApp(config);
  const restoreClock = options.clock ? useClock(app, options.clock) : () => undefined;
  await app.listen(options.port ?? 0, '127.0.0.1');
  return {
    app,
    config,
    dataDir,
    eventStore: app.get<EventStore>(EVENT_STORE),
    projections: app.get(ProjectionRunner),
    async close() {
      await app.close();
      restoreClock();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Points the app's CLOCK at `clock` until the app closes. The app offers no way to replace a provider,
 * and CLOCK is core's shared `systemClock` object, so its `now` is redirected (before start-up hooks run).
 */
function useClock(app: NestExpressApplication, clock: Clock): () => void {
  const appClock = app.get<Clock>(CLOCK);
  const systemNow = appClock.now;
  appClock.now = () => clock.now();
  return () => {
    appClock.now = systemNow;
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
