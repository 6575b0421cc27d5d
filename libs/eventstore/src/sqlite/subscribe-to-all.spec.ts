import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventData, NewEvent, RecordedEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import type { EventFilter, EventStore, SubscribeOptions } from '../event-store.port';
import { createSqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

/*
 * Live subscriptions take what this process just appended from its recent events instead of the
 * file. Every test here checks deliveries against what the file holds, so the two ways of reading
 * must agree on events, values, order, batches and deletions.
 */

const directories: string[] = [];
const opened: EventStore[] = [];

function temporaryLogPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'herald-subscriptions-'));
  directories.push(directory);
  return join(directory, 'events.sqlite');
}

function open(path: string, options: Partial<SqliteEventStoreOptions> = {}): EventStore {
  const store = createSqliteEventStore({ path, pollIntervalMs: 20, synchronous: 'NORMAL', ...options });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const event = (type = 'Happened', data: EventData = { at: Math.random() }): NewEvent => testEvent(type, data);

/** A subscription drained in the background into `batches`, as a projection runner pulls it. */
function follow(store: EventStore, options: SubscribeOptions = {}) {
  const subscription = store.subscribeToAll(options);
  const batches: RecordedEvent[][] = [];
  const running = (async () => {
    for await (const batch of subscription) batches.push(batch);
  })();
  return {
    batches,
    events: () => batches.flat(),
    async until(count: number): Promise<RecordedEvent[]> {
      const deadline = Date.now() + 3_000;
      while (batches.flat().length < count) {
        if (Date.now() > deadline) throw new Error(`${batches.flat().length} of ${count} events delivered`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return batches.flat();
    },
    async close(): Promise<void> {
      await subscription.close();
      await running;
    },
  };
}

/** Every event of the file matching `filter`, as a read of the file returns them. */
async function inFile(store: EventStore, filter?: EventFilter): Promise<RecordedEvent[]> {
  return store.readAll({ filter, maxCount: 100_000 });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite subscriptions served from recent events', () => {
  const configurations: Array<[string, Partial<SqliteEventStoreOptions>]> = [
    ['the default recent events', {}],
    ['only 3 recent events', { recentEvents: { maxEvents: 3 } }],
    ['no recent events (the file only)', { recentEvents: { maxEvents: 0 } }],
  ];

  it.each(configurations)('with %s, live subscriptions deliver exactly what the file holds, filter by filter', async (_, options) => {
    const store = open(temporaryLogPath(), options);
    await store.append('guild-0', [event('Linked')], { expectedRevision: 'no_stream' });
    const head = (await store.headPosition())!;
    const filters: Array<EventFilter | undefined> = [
      undefined,
      { streamPrefixes: ['guild-'] },
      { eventTypes: ['Linked'] },
      { streamPrefixes: ['guild-', 'user-'], eventTypes: ['Linked', 'Followed'] },
      { streamPrefixes: ['nobody-'] },
    ];
    const followers = filters.flatMap((filter) =>
      [1, 2, 500].map((maxBatchSize) => ({ filter, maxBatchSize, follower: follow(store, { afterPosition: head, filter, maxBatchSize }) })),
    );

    const streams = ['guild-1', 'user-1', 'guild-2', 'system-1'];
    const types = ['Linked', 'Synced', 'Followed'];
    for (let i = 0; i < 60; i++) {
      const count = i % 7 === 0 ? 5 : 1;
      const events = Array.from({ length: count }, (_, j) => event(types[(i + j) % types.length], { i, j }));
      await store.append(streams[i % streams.length], events, { expectedRevision: 'any' });
      if (i % 3 === 0) await nextTurn();
    }

    for (const { filter, maxBatchSize, follower } of followers) {
      const expected = (await inFile(store, filter)).filter((stored) => stored.position > head);
      if (expected.length > 0) expect(await follower.until(expected.length)).toEqual(expected);
      await follower.close();
      expect(follower.events()).toEqual(expected);
      expect(follower.batches.every((batch) => batch.length >= 1 && batch.length <= maxBatchSize)).toBe(true);
    }
  });

  it('an append of more events than one insert statement holds is delivered with the positions the file gave them', async () => {
    const store = open(temporaryLogPath());
    await store.append('guild-0', [event()], { expectedRevision: 'no_stream' });
    await store.deleteStream('guild-0'); // the next position is no longer the head plus one
    const follower = follow(store, { maxBatchSize: 1_000 });

    await store.append('guild-1', Array.from({ length: 250 }, (_, i) => event('Happened', { i })), { expectedRevision: 'no_stream' });

    expect(await follower.until(250)).toEqual(await inFile(store));
    expect(follower.events()[0].position).toBe(2);
    await follower.close();
  });

  it('delivers the values the file reads back, not the objects that were appended', async () => {
    const store = open(temporaryLogPath());
    const follower = follow(store);
    const appended = event('Noted', { when: new Date(0), gone: undefined, nested: { list: [1, { deep: 'é' }] } });

    await store.append('guild-1', [appended], { expectedRevision: 'no_stream' });
    const [delivered] = await follower.until(1);
    (appended.data.nested as { list: unknown[] }).list.push('changed after the append');

    expect(delivered).toEqual((await store.readStream('guild-1'))[0]);
    expect(delivered.data).toEqual({ when: '1970-01-01T00:00:00.000Z', nested: { list: [1, { deep: 'é' }] } });
    expect(delivered.data).not.toHaveProperty('gone');
    expect(delivered.metadata).toEqual(appended.metadata);
    expect(delivered.metadata).not.toBe(appended.metadata);
    await follower.close();
  });

  it('each subscription gets events of its own: one consumer changing an event changes no other', async () => {
    const store = open(temporaryLogPath());
    const first = follow(store);
    const second = follow(store);

    await store.append('guild-1', [event('Noted', { list: [1, 2] })], { expectedRevision: 'no_stream' });
    const [mine] = await first.until(1);
    (mine.data.list as number[]).push(3);
    mine.metadata.actorId = 'someone else';
    const [theirs] = await second.until(1);
    const late = follow(store);
    const [later] = await late.until(1);

    expect(theirs.data).toEqual({ list: [1, 2] });
    expect(later.data).toEqual({ list: [1, 2] });
    expect(theirs.metadata.actorId).not.toBe('someone else');
    expect(theirs).toEqual((await store.readStream('guild-1'))[0]);
    await Promise.all([first.close(), second.close(), late.close()]);
  });

  it('a subscription left behind the recent events catches up from the file, then follows live, losing nothing', async () => {
    const store = open(temporaryLogPath(), { recentEvents: { maxEvents: 4 } });
    await store.append('guild-1', [event()], { expectedRevision: 'no_stream' });
    const subscription = store.subscribeToAll({ maxBatchSize: 3 });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await iterator.next();

    // Twenty more while the subscription is not pulled: the recent events keep the last four.
    for (let i = 0; i < 20; i++) await store.append('guild-1', [event()], { expectedRevision: 'any' });
    const delivered = first.done ? [] : [...first.value];
    while (delivered.length < 21) {
      const next = await iterator.next();
      if (next.done) break;
      delivered.push(...next.value);
    }
    const live = event();
    await store.append('guild-2', [live], { expectedRevision: 'no_stream' });
    const next = await iterator.next();

    expect(delivered).toEqual((await inFile(store)).slice(0, 21));
    expect(next.done ? [] : next.value.map((recorded) => recorded.id)).toEqual([live.id]);
    await subscription.close();
  });

  it('events of a stream this process deleted are not delivered, though they were among the recent events', async () => {
    const store = open(temporaryLogPath());
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const kept = event();
    await store.append('guild-doomed', [event(), event()], { expectedRevision: 'no_stream' });
    await store.append('guild-kept', [kept], { expectedRevision: 'no_stream' });

    await store.deleteStream('guild-doomed');
    const next = await iterator.next();

    expect(next.done ? [] : next.value.map((recorded) => recorded.id)).toEqual([kept.id]);
    await subscription.close();
  });

  it('events of a stream another connection deleted are not delivered either', async () => {
    const path = temporaryLogPath();
    const store = open(path);
    const other = open(path);
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const kept = event();
    await store.append('guild-doomed', [event(), event()], { expectedRevision: 'no_stream' });
    await store.append('guild-kept', [kept], { expectedRevision: 'no_stream' });

    await other.deleteStream('guild-doomed');
    const next = await iterator.next();
    const later = event();
    await store.append('guild-kept', [later], { expectedRevision: 0 });
    const after = await iterator.next();

    expect(next.done ? [] : next.value.map((recorded) => recorded.id)).toEqual([kept.id]);
    expect(after.done ? [] : after.value.map((recorded) => recorded.id)).toEqual([later.id]);
    await subscription.close();
  });

  it('appends alternating between two connections reach the subscriptions of both, in log order, once', async () => {
    const path = temporaryLogPath();
    const stores = [open(path), open(path)];
    const followers = stores.flatMap((store) => [follow(store), follow(store, { maxBatchSize: 2, filter: { streamPrefixes: ['guild-'] } })]);

    for (let i = 0; i < 40; i++) {
      const store = stores[i % 3 === 0 ? 1 : 0];
      const streamId = i % 2 === 0 ? 'guild-1' : 'user-1';
      await store.append(streamId, [event(), ...(i % 5 === 0 ? [event()] : [])], { expectedRevision: 'any' });
      if (i % 4 === 0) await nextTurn();
    }

    const everything = await inFile(stores[0]);
    const guilds = await inFile(stores[0], { streamPrefixes: ['guild-'] });
    for (const [index, follower] of followers.entries()) {
      const expected = index % 2 === 0 ? everything : guilds;
      expect(await follower.until(expected.length)).toEqual(expected);
      await follower.close();
      expect(follower.events()).toEqual(expected);
    }
  });

  it('a stream id the file cannot store as written is delivered as the file reads it back', async () => {
    const store = open(temporaryLogPath());
    const follower = follow(store, { filter: { streamPrefixes: ['odd-'] } });

    await store.append('odd-\uD800', [event()], { expectedRevision: 'no_stream' });
    await store.append('odd-fine', [event()], { expectedRevision: 'no_stream' });

    expect(await follower.until(2)).toEqual(await inFile(store, { streamPrefixes: ['odd-'] }));
    await follower.close();
  });
});
