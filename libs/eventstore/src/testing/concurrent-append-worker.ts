/**
 * Child process for the two-process append test (test/two-process-append.spec.ts):
 *   node --require test/support/register-ts.js concurrent-append-worker.ts <db path> <stream> <count> <name> [<follow>]
 * Prints `ready`, waits for a line on stdin so both workers start together, then appends one event
 * at a time to the shared stream with the revision it just read, retrying on conflicts, until
 * <count> appends were acknowledged. Last line of stdout: JSON { acknowledged: ids[], conflicts,
 * delivered: ids[] }. With <follow>, a subscription of its own follows the stream from the start
 * meanwhile until it has delivered <follow> events, and `delivered` lists them in delivery order.
 * A short random pause between appends stands for the work a real command does; without it, one
 * worker re-takes the write lock within microseconds and SQLite's sleeping busy handler lets the
 * other in only rarely, so the two would barely interleave.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WrongExpectedRevision } from '../errors';
import { createSqliteEventStore } from '../sqlite';
import { testEvent } from '@herald/core/testing';

const FOLLOW_TIMEOUT_MS = 5_000;

async function main(): Promise<void> {
  const [path, streamId, countText, workerName, followText] = process.argv.slice(2);
  const count = Number(countText);
  const store = createSqliteEventStore({ path, pollIntervalMs: 20 });
  const delivered: string[] = [];
  const following = followText === undefined ? Promise.resolve() : follow(Number(followText));
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');

  const acknowledged: string[] = [];
  let conflicts = 0;
  while (acknowledged.length < count) {
    await sleep(Math.random() * 2);
    const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const event = testEvent('CounterIncremented', { worker: workerName, attempt: acknowledged.length });
    try {
      await store.append(streamId, [event], { expectedRevision: last ? last.revision : 'no_stream' });
      acknowledged.push(event.id);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      conflicts += 1;
    }
  }
  // A subscription that lost an event would wait for ever: report what it delivered instead.
  await Promise.race([following, sleep(FOLLOW_TIMEOUT_MS, undefined, { ref: false })]);
  await store.close();
  process.stdout.write(`${JSON.stringify({ acknowledged, conflicts, delivered })}\n`);
  process.stdin.destroy();

  async function follow(total: number): Promise<void> {
    if (total === 0) return;
    for await (const batch of store.subscribeToAll({ filter: { streamPrefixes: [streamId] }, maxBatchSize: 7 })) {
      delivered.push(...batch.map((event) => event.id));
      if (delivered.length >= total) return;
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
