import { createSqliteEventStore } from '@herald/eventstore';
import { ProjectionRunner, readModelDigest } from '@herald/projections';
import { createSqliteReadStore } from '@herald/readstore';
import { WinCounts, winCountOf } from '../libs/projections/src/testing/win-counts.projection';
import { workerSandbox } from './support/test-worker';

const WORKER = 'libs/projections/src/testing/projection-runner-worker.ts';
const APPENDS_PER_WORKER = 300;
const sandbox = workerSandbox('herald-two-process-projections-');

/** Starts a worker (resolved once it is ready); `finished` settles when it exits, having printed `done`. */
async function startWorker(eventsPath: string, readPath: string, guildId: string) {
  const args = [eventsPath, readPath, guildId, String(APPENDS_PER_WORKER), String(2 * APPENDS_PER_WORKER)];
  const { child, output } = await sandbox.start(WORKER, args, `the worker for guild ${guildId}`);
  const finished = output.then((lines) => expect(lines).toContain('done'));
  finished.catch(() => undefined); // awaited by the test
  return { child, finished };
}

describe('two server processes projecting the same log into the same read store', () => {
  it('applies every event exactly once, whichever process got to it, and ends where a fresh rebuild ends', async () => {
    const eventsPath = sandbox.file('events.sqlite');
    const readPath = sandbox.file('readmodels.sqlite');
    const workers = await Promise.all([startWorker(eventsPath, readPath, '1'), startWorker(eventsPath, readPath, '2')]);
    for (const { child } of workers) child.stdin.write('go\n');
    await Promise.all(workers.map(({ finished }) => finished));

    const eventStore = createSqliteEventStore({ path: eventsPath });
    const readStore = createSqliteReadStore({ path: readPath });
    const rebuiltStore = createSqliteReadStore({ path: sandbox.file('rebuilt.sqlite') });
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
