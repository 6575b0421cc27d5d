import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import request from 'supertest';
import { bearer, type HeraldUnderTest } from './herald-test-app';
import { BUILT_CLI, ROOT } from './built-herald';

/** Runs the built `herald-cli`, as an operator would, on the test server's data directory. */
export function runCli(herald: Pick<HeraldUnderTest, 'dataDir'>, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BUILT_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, HERALD_DATA_DIR: herald.dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
}

/** Runs `herald-cli` and returns its stdout; throws with its stderr when it fails. */
export function cli(herald: Pick<HeraldUnderTest, 'dataDir'>, args: string[]): string {
  const result = runCli(herald, args);
  if (result.status !== 0) throw new Error(`herald-cli ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

export function createToken(herald: Pick<HeraldUnderTest, 'dataDir'>, userId: string, scopes: string[]): string {
  const out = cli(herald, ['tokens', 'create', '--user', userId, '--scope', ...scopes]).trim().split('\n');
  return out[out.length - 1];
}

/** The server learns of a token the CLI issued through its projection; wait until it does. */
export async function waitForToken(server: Parameters<typeof request>[0], token: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const response = await request(server).get('/api/v1/me').set(bearer(token));
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the server never accepted the token');
}
