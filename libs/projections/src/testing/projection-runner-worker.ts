/**
 * Child process for the two-process projection test (test/two-process-projections.spec.ts):
 *   node --require test/support/register-ts.js projection-runner-worker.ts <events path> <read models path> <guild> <count> <total>
 * Runs a `ProjectionRunner` with `WinCounts` on the shared files, as a server process does, prints
 * `ready`, waits for a line on stdin so both workers start together, then appends <count> wins for
 * members of <guild> while its runner follows the log. Once the log holds <total> events and its
 * runner has caught up, it stops the runner and prints `done`.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@herald/eventstore';
import { createSqliteReadStore } from '@herald/readstore';
import { ProjectionRunner } from '../projection-runner';
import { win, WinCounts } from './win-counts.projection';

const MEMBERS = 5;

async function main(): Promise<void> {
  const [eventsPath, readPath, guildId, countText, totalText] = process.argv.slice(2);
  const eventStore = createSqliteEventStore({ path: eventsPath, pollIntervalMs: 20 });
  const readStore = createSqliteReadStore({ path: readPath });
  const runner = new ProjectionRunner(eventStore, readStore, [new WinCounts()], { retryDelayMs: 20, maxRetryDelayMs: 50 });
  runner.start();
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');

  for (let i = 0; i < Number(countText); i += 1) {
    await eventStore.append(`guildmember-${guildId}_u${i % MEMBERS}`, [win(guildId, `u${i % MEMBERS}`, (i % 3) + 1)], { expectedRevision: 'any' });
    // The pause a real command's work would make, so the two processes' appends interleave.
    if (i % 10 === 0) await sleep(Math.random() * 3);
  }
  while (((await eventStore.headPosition()) ?? 0) < Number(totalText)) await sleep(10);
  await runner.waitUntilCaughtUp(30_000);
  await runner.stop();
  await readStore.close();
  await eventStore.close();
  process.stdout.write('done\n');
  process.stdin.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
