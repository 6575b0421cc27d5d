import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfiguration, loadConfig } from '@herald/core';

describe('imports configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'herald-imports-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads plugin client credentials from the environment, and the round settings', () => {
    const config = loadConfig({ FITBIT_CLIENT_ID: '23ABCD', FITBIT_CLIENT_SECRET: 's3cret', IMPORTS_SYNC_CONCURRENCY: '4', PATH: '/bin' }, dir);
    expect(config.imports).toEqual({
      pluginCredentials: { FITBIT_CLIENT_ID: '23ABCD', FITBIT_CLIENT_SECRET: 's3cret' },
      syncIntervalMs: 3_600_000,
      syncJitterRatio: 0.1,
      syncConcurrency: 4,
    });
  });

  it.each(['FITBIT_CLIENT_SECRET', 'FITBIT_CLIENT_ID'])('refuses %s in herald.yml: it belongs in the environment', (name) => {
    writeFileSync(join(dir, 'herald.yml'), `${name}: not-here\n`);
    expect(() => loadConfig({}, dir)).toThrow(InvalidConfiguration);
    expect(() => loadConfig({}, dir)).toThrow(`${name} is a secret`);
  });
});
