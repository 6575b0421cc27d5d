import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore } from '@herald/eventstore';
import { createSqliteReadStore, type ReadStore } from '@herald/readstore';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { readModelDigest } from './read-model-digest';
import { win, WinCounts, winCountOf } from './testing/win-counts.projection';

describe('ProjectionRunner', () => {
  let dir: string;
  let eventStore: EventStore;
  let readStore: ReadStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-projections-'));
    eventStore = createSqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    readStore = createSqliteReadStore({ path: join(dir, 'readmodels.sqlite') });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await eventStore.close();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runner = (projection: Projection, store: ReadStore = readStore) => {
    const created = new ProjectionRunner(eventStore, store, [projection], { retryDelayMs: 20, maxRetryDelayMs: 50 });
    runners.push(created);
    return created;
  };
  const counts = (guildId: string, userId: string, store: ReadStore = readStore) => winCountOf(store, guildId, userId);

  it('catches up on stored events, then follows new ones live', async () => {
    await eventStore.append('guildmember-1_a', [win('1', 'a', 2), win('1', 'a', 3)], { expectedRevision: 'no_stream' });
    const projections = runner(new WinCounts());
    projections.start();
    await projections.waitUntilCaughtUp();
    expect(await counts('1', 'a')).toEqual({ id: 'a', wins: 5, events: 2 });

    await eventStore.append('guildmember-1_a', [win('1', 'a', 10)], { expectedRevision: 1 });
    await eventStore.append('guildmember-2_b', [win('2', 'b', 1)], { expectedRevision: 'no_stream' });
    await projections.waitUntilCaughtUp();
    expect(await counts('1', 'a')).toEqual({ id: 'a', wins: 15, events: 3 });
    expect(await counts('2', 'b')).toEqual({ id: 'b', wins: 1, events: 1 });
    expect(projections.status()[0]).toMatchObject({ name: 'win-counts', state: 'running', position: await eventStore.headPosition() });
  });

  it('stops at an event that fails, says where, and resumes without skipping it once fixed', async () => {
    const projection = new WinCounts();
    projection.failOn = 7;
    const before = await eventStore.append('guildmember-1_a', [win('1', 'a', 1)], { expectedRevision: 'no_stream' });
    const failing = await eventStore.append('guildmember-1_a', [win('1', 'a', 7)], { expectedRevision: 0 });
    await eventStore.append('guildmember-1_a', [win('1', 'a', 100)], { expectedRevision: 1 });
    const projections = runner(projection);
    projections.start();
    await waitFor(() => projections.status()[0].state === 'failed');
    expect(projections.status()[0].failure).toMatchObject({
      position: failing.position,
      eventType: 'WinRecorded',
      streamId: 'guildmember-1_a',
      message: 'cannot count 7',
    });
    expect(await readStore.getCheckpoint('win-counts')).toBe(before.position);
    expect(await counts('1', 'a')).toEqual({ id: 'a', wins: 1, events: 1 });

    projection.failOn = undefined;
    await projections.waitUntilCaughtUp();
    expect(await counts('1', 'a')).toEqual({ id: 'a', wins: 108, events: 3 });
    expect(projections.status()[0].state).toBe('running');
  });

  it('rebuilds read models to exactly what following the log built, with progress', async () => {
    for (let i = 0; i < 30; i += 1) {
      await eventStore.append(`guildmember-${i % 3}_u${i % 5}`, [win(String(i % 3), `u${i % 5}`, i)], { expectedRevision: 'any' });
    }
    const projections = runner(new WinCounts());
    projections.start();
    await projections.waitUntilCaughtUp();
    const followed = await readModelDigest(readStore);
    await projections.stop();

    const progress: number[] = [];
    const rebuilt = await projections.rebuild('win-counts', (p) => progress.push(p.applied));
    expect(rebuilt).toBe(followed);
    expect(await readModelDigest(readStore)).toBe(followed);
    expect(progress[progress.length - 1]).toBe(30);
    expect(await readStore.getCheckpoint('win-counts')).toBe(await eventStore.headPosition());
  });

  // Two runners in one process, as two server processes would run: the checkpoint check makes the
  // second skip what the first applied. They share one read-store handle: two handles on one file in
  // one thread would block each other (a transaction holds SQLite's write lock across its awaits).
  it('never applies an event twice when two runners follow the same projection into one store', async () => {
    const first = runner(new WinCounts());
    const second = runner(new WinCounts());
    first.start();
    second.start();
    for (let i = 0; i < 200; i += 1) {
      await eventStore.append(`guildmember-1_u${i % 4}`, [win('1', `u${i % 4}`, 1)], { expectedRevision: 'any' });
    }
    await first.waitUntilCaughtUp();
    await second.waitUntilCaughtUp();
    let events = 0;
    for (let u = 0; u < 4; u += 1) events += (await counts('1', `u${u}`))?.events ?? 0;
    expect(events).toBe(200);
    await second.stop();
  });

  it('on a store without atomic transactions, replaying after a lost checkpoint does not apply events twice', async () => {
    const nonAtomic: ReadStore = new Proxy(readStore, {
      get: (target, key) => (key === 'atomicTransactions' ? false : Reflect.get(target, key, target)),
    });
    await eventStore.append('guildmember-1_a', [win('1', 'a', 2), win('1', 'a', 3)], { expectedRevision: 'no_stream' });
    const projections = runner(new WinCounts(), nonAtomic);
    projections.start();
    await projections.waitUntilCaughtUp();
    await projections.stop();
    // A crash between the documents and the global checkpoint: the global one is lost, the scope's is not.
    await readStore.setCheckpoint('win-counts', null);
    projections.start();
    await projections.waitUntilCaughtUp();
    expect(await counts('1', 'a')).toEqual({ id: 'a', wins: 5, events: 2 });
  });

  it('finishes the batch in flight and stores its checkpoint when stopped', async () => {
    const projections = runner(new WinCounts());
    projections.start();
    await eventStore.append('guildmember-1_a', [win('1', 'a', 1)], { expectedRevision: 'no_stream' });
    await projections.waitUntilCaughtUp();
    await projections.stop();
    expect(await readStore.getCheckpoint('win-counts')).toBe(await eventStore.headPosition());
    expect(projections.status()[0].state).toBe('stopped');
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
