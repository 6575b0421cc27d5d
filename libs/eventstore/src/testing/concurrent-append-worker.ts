/**
 * Child process for the two-process append test (test/two-process-append.spec.ts):
 *   node --require test/support/register-ts.js concurrent-append-worker.ts <db path> <stream> <count> <name>
 * Prints `ready`, waits for a line on stdin so both workers start together, then appends one event
 * at a time to the shared stream with the revision it just read, retrying on conflicts, until
 * <count> appends were acknowledged. Last line of stdout: JSON { acknowledged: ids[], conflicts }.
 * A short random pause between appends stands for the work a real command does; without it, one
 * worker re-takes the write lock within microseconds and SQLite's sleeping busy handler lets the
 * other in only rarely, so the two would barely interleave.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WrongExpectedRevision } from '../errors';
import { createSqliteEventStore } from '../sqlite';
import { testEvent } from '@herald/core/testing';

async function main(): Promise<void> {
  const [path, streamId, countText, workerName] = process.argv.slice(2);
  const count = Number(countText);
  const store = createSqliteEventStore({ path });
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
  await store.close();
  process.stdout.write(`${JSON.stringify({ acknowledged, conflicts })}\n`);
  process.stdin.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
