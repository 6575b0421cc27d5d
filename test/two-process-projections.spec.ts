import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSqliteEventStore } from '@herald/eventstore';
import { ProjectionRunner, readModelDigest } from '@herald/projections';
import { createSqliteReadStore } from '@herald/readstore';
import { WinCounts, winCountOf } from '../libs/projections/src/testing/win-counts.projection';

const ROOT = join(__dirname, '..');
const REGISTER_TS = join(ROOT, 'test/support/register-ts.js');
const WORKER = join(ROOT, 'libs/projections/src/testing/projection-runner-worker.ts');
const APPENDS_PER_WORKER = 300;
const children: ChildProcessWithoutNullStreams[] = [];

/** Starts a worker and resolves once it printed `ready`; `finished` settles when it exits. */
async function startWorker(eventsPath: string, readPath: string, guildId: string) {
  const child = spawn(
    process.execPath,
    ['--require', REGISTER_TS, WORKER, eventsPath, readPath, guildId, String(APPENDS_PER_WORKER), String(2 * APPENDS_PER_WORKER)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines: string[] = [];
  const output = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => output.on('line', (line) => (line === 'ready' ? resolve() : lines.push(line))));
  const finished = new Promise<void>((resolve, reject) =>
    child.on('close', (code) => (code === 0 && lines.includes('done') ? resolve() : reject(new Error(`worker for guild ${guildId} exited with ${code}: ${stderr}`)))),
  );
  finished.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
  await Promise.race([ready, finished]);
  return { child, finished };
}

describe('two server processes projecting the same log into the same read store', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'herald-two-process-projections-'));
  });

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  it('applies every event exactly once, whichever process got to it, and ends where a fresh rebuild ends', async () => {
    const eventsPath = join(directory, 'events.sqlite');
    const readPath = join(directory, 'readmodels.sqlite');
    const workers = await Promise.all([startWorker(eventsPath, readPath, '1'), startWorker(eventsPath, readPath, '2')]);
    for (const { child } of workers) child.stdin.write('go\n');
    await Promise.all(workers.map(({ finished }) => finished));

    const eventStore = createSqliteEventStore({ path: eventsPath });
    const readStore = createSqliteReadStore({ path: readPath });
    const rebuiltStore = createSqliteReadStore({ path: join(directory, 'rebuilt.sqlite') });
    try {
      let counted = 0;
      let wins = 0;
      for (const guildId of ['1', '2']) {
        for (let member = 0; member < 5; member += 1) {
          const document = await winCountOf(readStore, guildId, `u${member}`);
          counted += document?.events ?? 0;
          wins += document?.wins ?? 0;
        }
      }
      const appended = await eventStore.readAll({});
      expect(appended).toHaveLength(2 * APPENDS_PER_WORKER);
      expect(counted).toBe(2 * APPENDS_PER_WORKER);
      expect(wins).toBe(appended.reduce((sum, event) => sum + Number(event.data.wins), 0));
      expect(await readStore.getCheckpoint('win-counts')).toBe(await eventStore.headPosition());

      const rebuilt = await new ProjectionRunner(eventStore, rebuiltStore, [new WinCounts()]).rebuild('win-counts');
      expect(await readModelDigest(readStore, ['win_counts'])).toBe(rebuilt);
    } finally {
      await rebuiltStore.close();
      await readStore.close();
      await eventStore.close();
    }
  });
});
