import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHerald, type HeraldProcess } from './support/herald-process';
import { cli } from './support/herald-cli';
import { OPERATOR_TOKEN } from './support/herald-test-app';

const USERS = Array.from({ length: 12 }, (_, i) => String(100000 + i));

describe('crash recovery: kill -9 in the middle of a stream of appends', () => {
  let dataDir: string;
  let herald: HeraldProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'herald-crash-'));
  });

  afterAll(async () => {
    if (herald && herald.child.exitCode === null) {
      herald.child.kill('SIGKILL');
      await herald.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event, and the read models equal a fresh rebuild', async () => {
    const env = { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: OPERATOR_TOKEN, HERALD_POLL_INTERVAL_MS: '50' };
    herald = await spawnHerald(env);
    const acknowledged = new Set<string>();
    let stop = false;
    const writers = Array.from({ length: 4 }, (_, w) =>
      (async () => {
        for (let i = 0; !stop; i += 1) {
          const userId = USERS[(w * 7 + i) % USERS.length];
          try {
            const response = await fetch(`${herald!.baseUrl}/api/v1/users/${userId}/tokens`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${OPERATOR_TOKEN}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ label: `writer ${w} #${i}` }),
            });
            if (response.status === 201) acknowledged.add(((await response.json()) as { tokenId: string }).tokenId);
            else if (!stop) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
          } catch (error) {
            if (!stop) throw error;
          }
        }
      })(),
    );
    while (acknowledged.size < 150) await new Promise((resolve) => setTimeout(resolve, 10));
    // Writers keep counting answers that arrive; errors after this point are the kill's doing.
    stop = true;
    herald.child.kill('SIGKILL');
    await herald.exited;
    await Promise.all(writers);

    herald = await spawnHerald(env);
    const logged = new Map<string, number>();
    const eventIds = new Set<string>();
    const exported = cli({ dataDir }, ['events', 'export']).trim().split('\n').map((line) => JSON.parse(line));
    for (const event of exported) {
      expect(eventIds.has(event.id)).toBe(false);
      eventIds.add(event.id);
      if (event.type === 'ApiTokenIssued') logged.set(event.data.tokenId, (logged.get(event.data.tokenId) ?? 0) + 1);
    }
    for (const tokenId of acknowledged) expect(logged.get(tokenId)).toBe(1);
    const positions = exported.map((event) => event.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    await waitForNoLag(dataDir);
    // Every acknowledged token made it into the read model too.
    const listed = new Set<string>();
    for (const userId of USERS) {
      const response = await fetch(`${herald.baseUrl}/api/v1/users/${userId}/tokens`, { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } });
      for (const token of ((await response.json()) as { items: Array<{ tokenId: string }> }).items) listed.add(token.tokenId);
    }
    for (const tokenId of acknowledged) expect(listed.has(tokenId)).toBe(true);
    const followed = cli({ dataDir }, ['projections', 'digest']).trim();

    // SIGTERM drains and exits cleanly; then a rebuild from the log alone gives the same read models.
    herald.child.kill('SIGTERM');
    expect(await herald.exited).toBe(0);
    herald = undefined;
    const rebuilt = cli({ dataDir }, ['projections', 'rebuild']).trim().split('\n');
    expect(rebuilt[rebuilt.length - 1]).toBe(`digest ${followed}`);
  });
});

async function waitForNoLag(dataDir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const rows = JSON.parse(cli({ dataDir }, ['projections', 'status', '--json'])) as Array<{ lag: number }>;
    if (rows.every((row) => row.lag === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('projections did not catch up after the restart');
}
