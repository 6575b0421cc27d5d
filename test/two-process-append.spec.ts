import { createSqliteEventStore } from '@herald/eventstore';
import { workerSandbox } from './support/test-worker';

const WORKER = 'libs/eventstore/src/testing/concurrent-append-worker.ts';
const APPENDS_PER_WORKER = 300;

interface WorkerReport {
  acknowledged: string[];
  conflicts: number;
  /** Ids delivered by the worker's own subscription to the stream, in delivery order. */
  delivered: string[];
}

const sandbox = workerSandbox('herald-two-process-');

/**
 * Starts a worker (resolved once it is ready); `report` settles when it exits. With `follow`, the
 * worker's own subscription follows the stream until it has delivered that many events.
 */
async function startWorker(path: string, streamId: string, name: string, follow?: number) {
  const args = [path, streamId, String(APPENDS_PER_WORKER), name, ...(follow === undefined ? [] : [String(follow)])];
  const { child, output } = await sandbox.start(WORKER, args, name);
  const report = output.then((lines) => JSON.parse(lines[lines.length - 1]) as WorkerReport);
  report.catch(() => undefined); // awaited by the test
  return { child, report };
}

describe('two processes appending to the same stream on the same data file', () => {
  it('wins each revision exactly once: nothing lost, nothing duplicated', async () => {
    const path = sandbox.file('events.sqlite');
    const streamId = 'counter-shared';
    const workers = await Promise.all([startWorker(path, streamId, 'first'), startWorker(path, streamId, 'second')]);
    for (const { child } of workers) child.stdin.write('go\n');
    const reports = await Promise.all(workers.map(({ report }) => report));

    const store = createSqliteEventStore({ path });
    try {
      const events = await store.readStream(streamId);
      const acknowledged = reports.flatMap((report) => report.acknowledged);

      expect(events).toHaveLength(2 * APPENDS_PER_WORKER);
      expect(events.map((event) => event.revision)).toEqual(
        Array.from({ length: 2 * APPENDS_PER_WORKER }, (_, i) => i),
      );
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
      expect([...events.map((event) => event.id)].sort()).toEqual([...acknowledged].sort());
      // Each worker's appends keep the order in which they were acknowledged.
      for (const report of reports) {
        const own = events.filter((event) => report.acknowledged.includes(event.id)).map((event) => event.id);
        expect(own).toEqual(report.acknowledged);
      }
      // The workers did interleave, so the revision checks were really contested.
      const handovers = events.filter((event, i) => i > 0 && event.data.worker !== events[i - 1].data.worker).length;
      expect(handovers).toBeGreaterThan(0);
      const conflicts = reports.map((report) => report.conflicts).join(' + ');
      console.log(`two-process append: ${handovers} handovers between workers, ${conflicts} conflicts retried`);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('a subscription in each process delivers every event of both, in log order, once', async () => {
    const path = sandbox.file('followed.sqlite');
    const streamId = 'counter-followed';
    const total = 2 * APPENDS_PER_WORKER;
    const workers = await Promise.all([
      startWorker(path, streamId, 'first', total),
      startWorker(path, streamId, 'second', total),
    ]);
    for (const { child } of workers) child.stdin.write('go\n');
    const reports = await Promise.all(workers.map(({ report }) => report));

    const store = createSqliteEventStore({ path });
    try {
      const logOrder = (await store.readStream(streamId)).map((event) => event.id);
      expect(logOrder).toHaveLength(total);
      // Each process found its own appends in memory and the other's in the file; either way, all of them in order.
      for (const report of reports) expect(report.delivered).toEqual(logOrder);
    } finally {
      await store.close();
    }
  }, 60_000);
});
