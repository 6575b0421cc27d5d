import { randomUUID } from 'node:crypto';
import type { EventData, NewEvent, RecordedEvent } from '@herald/core';
import { StreamDeleted, WrongExpectedRevision } from '../errors';
import type { EventFilter, EventStore, EventSubscription } from '../event-store.port';
import { testEvent } from '@herald/core/testing';

export interface EventStoreContractOptions {
  /**
   * Every `createStore()` opens a new, empty log that nothing else writes to (a temp SQLite file).
   * False for a shared server: then the suite only asserts what holds next to other writers.
   */
  isolatedLog?: boolean;
  /** `deleteStream` removes the events from the global log at once (EventStoreDB waits for a scavenge). */
  deleteRemovesFromGlobalLog?: boolean;
  /** Longest wait for a live event to reach a subscriber (default 5 s). */
  liveTimeoutMs?: number;
}

/**
 * The behaviour every `EventStore` adapter must share, written once. Each test works in its own
 * stream category (`c<random>-…`) and reads the global log through that prefix, so the suite also
 * runs against a shared server that holds other data.
 */
export function describeEventStoreContract(
  adapterName: string,
  createStore: () => Promise<EventStore>,
  options: EventStoreContractOptions = {},
): void {
  const liveTimeoutMs = options.liveTimeoutMs ?? 5_000;

  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let category: string;
    const stream = (name: string) => `${category}-${name}`;
    const thisTest = (): EventFilter => ({ streamPrefixes: [`${category}-`] });
    /** Event types unique to this test, so a type filter finds nothing of other tests or other data. */
    const type = (name: string) => `${category}${name}`;

    beforeEach(async () => {
      store = await createStore();
      category = `c${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    });

    afterEach(async () => {
      await store.close();
    });

    describe('append with an expected revision', () => {
      it('numbers revisions from 0 and returns the last revision and position of the append', async () => {
        const events = [newEvent(), newEvent(), newEvent()];

        const result = await store.append(stream('a'), events, { expectedRevision: 'no_stream' });

        const stored = await store.readStream(stream('a'));
        expect(stored.map((event) => event.revision)).toEqual([0, 1, 2]);
        expect(stored.map((event) => event.id)).toEqual(events.map((event) => event.id));
        expect(result).toEqual({ nextExpectedRevision: 2, position: stored[2].position });
        expectStrictlyIncreasing(stored.map((event) => event.position));
      });

      it('stores id, type, data, metadata and stream as given', async () => {
        const event = newEvent('Noted', { text: 'héllo', nested: { list: [1, 2, 3], flag: true, none: null } });

        await store.append(stream('a'), [event], { expectedRevision: 'no_stream' });

        const [stored] = await store.readStream(stream('a'));
        expect(stored).toEqual({ ...event, streamId: stream('a'), revision: 0, position: expect.any(Number) });
      });

      it('no_stream appends to a missing stream and refuses an existing one, naming its revision', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });

        const error = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' }));

        expectConflict(error, stream('a'), 'no_stream', 0);
      });

      it('stream_exists appends to an existing stream and refuses a missing one as no_stream', async () => {
        const error = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 'stream_exists' }));
        expectConflict(error, stream('a'), 'stream_exists', 'no_stream');
        expect(await store.readStream(stream('a'))).toEqual([]);

        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });
        const result = await store.append(stream('a'), [newEvent()], { expectedRevision: 'stream_exists' });

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('any appends whether the stream exists or not', async () => {
        const first = await store.append(stream('a'), [newEvent()], { expectedRevision: 'any' });
        const second = await store.append(stream('a'), [newEvent(), newEvent()], { expectedRevision: 'any' });

        expect(first.nextExpectedRevision).toBe(0);
        expect(second.nextExpectedRevision).toBe(2);
        expect(second.position).toBeGreaterThan(first.position);
      });

      it('a revision number appends only when it is the last revision, and a conflict names the actual one', async () => {
        const missing = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 0 }));
        expectConflict(missing, stream('a'), 0, 'no_stream');

        await store.append(stream('a'), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const behind = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 0 }));
        const ahead = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 5 }));
        const result = await store.append(stream('a'), [newEvent()], { expectedRevision: 1 });

        expectConflict(behind, stream('a'), 0, 1);
        expectConflict(ahead, stream('a'), 5, 1);
        expect(result.nextExpectedRevision).toBe(2);
      });

      it('a refused append writes none of its events', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });

        await rejection(store.append(stream('a'), [newEvent(), newEvent()], { expectedRevision: 'no_stream' }));

        expect(await store.readStream(stream('a'))).toHaveLength(1);
        expect(await store.readAll({ filter: thisTest() })).toHaveLength(1);
      });

      it('an append that fails on its second event writes nothing at all', async () => {
        const unserialisable = newEvent('Broken', { amount: BigInt(1) });

        await rejection(store.append(stream('a'), [newEvent(), unserialisable], { expectedRevision: 'any' }));

        expect(await store.readStream(stream('a'))).toEqual([]);
        expect(await store.readAll({ filter: thisTest() })).toEqual([]);
      });

      it('refuses an append without events', async () => {
        await expect(store.append(stream('a'), [], { expectedRevision: 'any' })).rejects.toThrow(RangeError);
      });
    });

    describe('idempotent re-append', () => {
      it('the same events at the same place again are a no-op returning the original result', async () => {
        const events = [newEvent(), newEvent()];
        const original = await store.append(stream('a'), events, { expectedRevision: 'no_stream' });

        const repeated = await store.append(stream('a'), events, { expectedRevision: 'no_stream' });

        expect(repeated).toEqual(original);
        expect(await store.readStream(stream('a'))).toHaveLength(2);
        expect(await store.readAll({ filter: thisTest() })).toHaveLength(2);
      });

      it('a retry with its original revision is a no-op even after the stream moved on', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });
        const retried = [newEvent()];
        const original = await store.append(stream('a'), retried, { expectedRevision: 0 });
        await store.append(stream('a'), [newEvent()], { expectedRevision: 1 });

        const repeated = await store.append(stream('a'), retried, { expectedRevision: 0 });

        expect(repeated).toEqual(original);
        expect((await store.readStream(stream('a'))).map((event) => event.revision)).toEqual([0, 1, 2]);
      });

      it('with any, events already at the end of the stream are not appended twice', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });
        const events = [newEvent()];
        const original = await store.append(stream('a'), events, { expectedRevision: 'any' });

        const repeated = await store.append(stream('a'), events, { expectedRevision: 'any' });

        expect(repeated).toEqual(original);
        expect(await store.readStream(stream('a'))).toHaveLength(2);
      });

      it('different events at a taken place are a conflict, not a repeat', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });

        const error = await rejection(store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' }));

        expectConflict(error, stream('a'), 'no_stream', 0);
      });
    });

    describe('readStream', () => {
      let ids: string[];

      beforeEach(async () => {
        const events = Array.from({ length: 5 }, () => newEvent());
        ids = events.map((event) => event.id);
        await store.append(stream('a'), events, { expectedRevision: 'no_stream' });
        await store.append(stream('b'), [newEvent()], { expectedRevision: 'no_stream' });
      });

      it('reads forwards from an inclusive revision, up to maxCount events', async () => {
        const events = await store.readStream(stream('a'), { fromRevision: 1, maxCount: 3 });

        expect(events.map((event) => event.id)).toEqual(ids.slice(1, 4));
        expect(events.map((event) => event.revision)).toEqual([1, 2, 3]);
      });

      it('reads backwards from the last event, or from an inclusive revision', async () => {
        const fromEnd = await store.readStream(stream('a'), { direction: 'backwards', maxCount: 2 });
        const fromRevision = await store.readStream(stream('a'), { direction: 'backwards', fromRevision: 2 });

        expect(fromEnd.map((event) => event.revision)).toEqual([4, 3]);
        expect(fromRevision.map((event) => event.revision)).toEqual([2, 1, 0]);
      });

      it('reads a stream that was never written as empty', async () => {
        expect(await store.readStream(stream('never'))).toEqual([]);
        expect(await store.readStream(stream('never'), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('returns the events of all streams in append order, with strictly increasing positions', async () => {
        const appended: string[] = [];
        for (const name of ['a', 'b', 'a', 'c', 'b']) {
          const event = newEvent();
          await store.append(stream(name), [event], { expectedRevision: 'any' });
          appended.push(`${stream(name)}/${event.id}`);
        }

        const events = await store.readAll({ filter: thisTest() });

        expect(events.map((event) => `${event.streamId}/${event.id}`)).toEqual(appended);
        expectStrictlyIncreasing(events.map((event) => event.position));
      });

      it('starts at an inclusive position, forwards and backwards, and pages with maxCount', async () => {
        for (const name of ['a', 'b', 'c', 'd'])
          await store.append(stream(name), [newEvent()], { expectedRevision: 'any' });
        const all = await store.readAll({ filter: thisTest() });

        const forwards = await store.readAll({ fromPosition: all[1].position, filter: thisTest() });
        const backwards = await store.readAll({
          fromPosition: all[2].position,
          direction: 'backwards',
          filter: thisTest(),
        });
        const page = await store.readAll({ fromPosition: all[1].position, maxCount: 2, filter: thisTest() });

        expect(forwards).toEqual(all.slice(1));
        expect(backwards).toEqual([all[2], all[1], all[0]]);
        expect(page).toEqual(all.slice(1, 3));
      });

      it('reads backwards from the newest event when no position is given', async () => {
        for (const name of ['a', 'b', 'c']) await store.append(stream(name), [newEvent()], { expectedRevision: 'any' });

        const newest = await store.readAll({ direction: 'backwards', maxCount: 2, filter: thisTest() });

        expect(newest.map((event) => event.streamId)).toEqual([stream('c'), stream('b')]);
      });

      it('filters by stream prefixes, any of them', async () => {
        await store.append(stream('guild1'), [newEvent()], { expectedRevision: 'any' });
        await store.append(stream('member1'), [newEvent()], { expectedRevision: 'any' });
        await store.append(stream('other1'), [newEvent()], { expectedRevision: 'any' });
        await store.append(stream('guild2'), [newEvent()], { expectedRevision: 'any' });

        const events = await store.readAll({ filter: { streamPrefixes: [stream('guild'), stream('member')] } });

        expect(events.map((event) => event.streamId)).toEqual([stream('guild1'), stream('member1'), stream('guild2')]);
      });

      it('filters by event types, any of them', async () => {
        await store.append(stream('a'), [newEvent(type('Linked')), newEvent(type('Synced'))], {
          expectedRevision: 'any',
        });
        await store.append(stream('b'), [newEvent(type('Removed')), newEvent(type('Linked'))], {
          expectedRevision: 'any',
        });

        const events = await store.readAll({ filter: { eventTypes: [type('Linked'), type('Removed')] } });

        expect(events.map((event) => `${event.streamId}/${event.type}`)).toEqual([
          `${stream('a')}/${type('Linked')}`,
          `${stream('b')}/${type('Removed')}`,
          `${stream('b')}/${type('Linked')}`,
        ]);
      });

      it('with prefixes and types, returns only events that match both', async () => {
        await store.append(stream('guild1'), [newEvent(type('Linked')), newEvent(type('Synced'))], {
          expectedRevision: 'any',
        });
        await store.append(stream('other1'), [newEvent(type('Linked'))], { expectedRevision: 'any' });

        const events = await store.readAll({
          filter: { streamPrefixes: [stream('guild')], eventTypes: [type('Linked')] },
        });

        expect(events.map((event) => `${event.streamId}/${event.type}`)).toEqual([
          `${stream('guild1')}/${type('Linked')}`,
        ]);
      });
    });

    describe('scanAll', () => {
      it('pages through every matching event after a position, up to the head as it was when the scan began', async () => {
        for (let i = 0; i < 7; i += 1) {
          await store.append(stream(`s${i % 3}`), [newEvent(type(i % 2 === 0 ? 'Even' : 'Odd'))], { expectedRevision: 'any' });
        }
        const all = await store.readAll({ filter: thisTest() });

        const pages: number[][] = [];
        for await (const page of store.scanAll({ filter: thisTest(), pageSize: 3 })) {
          pages.push(page.map((event) => event.position));
          // Appended during the scan, after its head: not part of it.
          if (pages.length === 1) await store.append(stream('late'), [newEvent()], { expectedRevision: 'any' });
        }
        expect(pages.flat()).toEqual(all.map((event) => event.position));
        expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);

        const odd = [];
        for await (const page of store.scanAll({ afterPosition: all[1].position, filter: { eventTypes: [type('Odd')] } })) odd.push(...page);
        expect(odd).toEqual(all.filter((event, i) => i > 1 && i % 2 === 1));
      });

      it('stops cleanly when the caller stops early, and finds nothing after the head', async () => {
        for (let i = 0; i < 5; i += 1) await store.append(stream('a'), [newEvent()], { expectedRevision: 'any' });
        for await (const page of store.scanAll({ filter: thisTest(), pageSize: 2 })) {
          expect(page).toHaveLength(2);
          break;
        }
        const head = (await store.headPosition())!;
        const after: unknown[] = [];
        for await (const page of store.scanAll({ afterPosition: head })) after.push(...page);
        expect(after).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers stored events after an exclusive start position, then live events, in order', async () => {
        const stored = [newEvent(), newEvent(), newEvent()];
        await store.append(stream('a'), stored, { expectedRevision: 'no_stream' });
        const [first] = await store.readStream(stream('a'));
        const subscription = store.subscribeToAll({ afterPosition: first.position, filter: thisTest() });

        try {
          const caughtUp = await take(subscription, 2, liveTimeoutMs);
          const live = [newEvent(), newEvent()];
          await store.append(stream('b'), [live[0]], { expectedRevision: 'no_stream' });
          await store.append(stream('a'), [live[1]], { expectedRevision: 2 });
          const delivered = await take(subscription, 2, liveTimeoutMs);

          expect(caughtUp.map((event) => event.id)).toEqual([stored[1].id, stored[2].id]);
          expect(delivered.map((event) => event.id)).toEqual([live[0].id, live[1].id]);
          expectStrictlyIncreasing([...caughtUp, ...delivered].map((event) => event.position));
        } finally {
          await subscription.close();
        }
      });

      it('starts from the beginning of the log when no position is given', async () => {
        const events = [newEvent(), newEvent()];
        await store.append(stream('a'), events, { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ filter: thisTest() });

        try {
          expect((await take(subscription, 2, liveTimeoutMs)).map((event) => event.id)).toEqual(
            events.map((event) => event.id),
          );
        } finally {
          await subscription.close();
        }
      });

      it('applies its filter to stored and live events', async () => {
        await store.append(stream('a'), [newEvent(type('Linked')), newEvent(type('Synced'))], {
          expectedRevision: 'no_stream',
        });
        const subscription = store.subscribeToAll({ filter: { eventTypes: [type('Linked')] } });

        try {
          const stored = await take(subscription, 1, liveTimeoutMs);
          await store.append(stream('b'), [newEvent(type('Synced')), newEvent(type('Linked'))], {
            expectedRevision: 'no_stream',
          });
          const live = await take(subscription, 1, liveTimeoutMs);

          expect([...stored, ...live].map((event) => `${event.streamId}/${event.type}`)).toEqual([
            `${stream('a')}/${type('Linked')}`,
            `${stream('b')}/${type('Linked')}`,
          ]);
        } finally {
          await subscription.close();
        }
      });

      it('delivers batches of at most maxBatchSize events', async () => {
        const events = Array.from({ length: 7 }, () => newEvent());
        await store.append(stream('a'), events, { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ filter: thisTest(), maxBatchSize: 3 });
        const iterator = subscription[Symbol.asyncIterator]();

        try {
          const batches: RecordedEvent[][] = [];
          while (batches.flat().length < events.length) {
            const next = await withTimeout(iterator.next(), liveTimeoutMs, 'a batch');
            if (next.done) break;
            batches.push(next.value);
          }

          expect(batches.every((batch) => batch.length >= 1 && batch.length <= 3)).toBe(true);
          expect(batches.flat().map((event) => event.id)).toEqual(events.map((event) => event.id));
        } finally {
          await subscription.close();
        }
      });

      if (options.deleteRemovesFromGlobalLog) {
        it('reads the log only when pulled, so a consumer that does not pull holds no buffer', async () => {
          await store.append(
            stream('a'),
            Array.from({ length: 6 }, () => newEvent()),
            { expectedRevision: 'no_stream' },
          );
          const subscription = store.subscribeToAll({ filter: thisTest(), maxBatchSize: 2 });
          const iterator = subscription[Symbol.asyncIterator]();

          try {
            const first = await withTimeout(iterator.next(), liveTimeoutMs, 'the first batch');
            // Had the subscription read ahead, the rest of stream a would still come after this delete.
            await store.deleteStream(stream('a'));
            const later = newEvent();
            await store.append(stream('b'), [later], { expectedRevision: 'no_stream' });
            const second = await withTimeout(iterator.next(), liveTimeoutMs, 'the second batch');

            expect(first.done ? [] : first.value.map((event) => event.revision)).toEqual([0, 1]);
            expect(second.done ? [] : second.value.map((event) => event.id)).toEqual([later.id]);
          } finally {
            await subscription.close();
          }
        });
      } else {
        it('reads lazily (not checked here: deleted events stay in the global log, so reading ahead cannot be observed)', () => {
          console.log(
            `${adapterName}: lazy-read check not applicable, deleteStream does not remove events from the global log at once`,
          );
        });
      }

      it('close() ends a pending next() and the iteration', async () => {
        const subscription = store.subscribeToAll({ filter: thisTest() });
        const iterator = subscription[Symbol.asyncIterator]();
        const pending = iterator.next();

        await subscription.close();

        await expect(withTimeout(pending, liveTimeoutMs, 'the pending next()')).resolves.toEqual({
          done: true,
          value: undefined,
        });
        await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
      });

      it('leaving a for-await loop closes the subscription', async () => {
        await store.append(stream('a'), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ filter: thisTest(), maxBatchSize: 1 });

        for await (const batch of subscription) {
          expect(batch).toHaveLength(1);
          break;
        }

        await expect(subscription[Symbol.asyncIterator]().next()).resolves.toEqual({ done: true, value: undefined });
      });
    });

    describe('deleteStream', () => {
      it('a deleted stream reads as empty and refuses appends; other streams are untouched', async () => {
        await store.append(stream('doomed'), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        await store.append(stream('kept'), [newEvent()], { expectedRevision: 'no_stream' });

        await store.deleteStream(stream('doomed'));

        expect(await store.readStream(stream('doomed'))).toEqual([]);
        const refused = await rejection(store.append(stream('doomed'), [newEvent()], { expectedRevision: 'any' }));
        expect(refused).toBeInstanceOf(StreamDeleted);
        expect((refused as StreamDeleted).streamId).toBe(stream('doomed'));
        await expect(
          store.append(stream('doomed'), [newEvent()], { expectedRevision: 'no_stream' }),
        ).rejects.toBeInstanceOf(StreamDeleted);
        expect(await store.readStream(stream('kept'))).toHaveLength(1);
        if (options.deleteRemovesFromGlobalLog) {
          expect((await store.readAll({ filter: thisTest() })).map((event) => event.streamId)).toEqual([
            stream('kept'),
          ]);
        }
      });

      it('never hands out the positions of deleted events again', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });
        const deleted = await store.append(stream('doomed'), [newEvent(), newEvent()], {
          expectedRevision: 'no_stream',
        });
        await store.deleteStream(stream('doomed'));

        const next = await store.append(stream('b'), [newEvent()], { expectedRevision: 'no_stream' });

        expect(next.position).toBeGreaterThan(deleted.position);
      });

      it('deleting twice, or deleting a stream that never existed, succeeds and leaves the name dead', async () => {
        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });

        await store.deleteStream(stream('a'));
        await store.deleteStream(stream('a'));
        await store.deleteStream(stream('never'));

        await expect(store.append(stream('never'), [newEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
          StreamDeleted,
        );
        expect(await store.readStream(stream('never'))).toEqual([]);
      });
    });

    describe('headPosition and ping', () => {
      it('headPosition is the position of the newest event', async () => {
        if (options.isolatedLog) expect(await store.headPosition()).toBeNull();

        await store.append(stream('a'), [newEvent()], { expectedRevision: 'no_stream' });
        const last = await store.append(stream('b'), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        const head = await store.headPosition();
        if (options.isolatedLog) expect(head).toBe(last.position);
        else expect(head).toBeGreaterThanOrEqual(last.position);
      });

      it('ping resolves while the store is reachable', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}

function newEvent(type = 'ThingHappened', data: EventData = { at: Date.now() }): NewEvent {
  return testEvent(type, data);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function expectConflict(error: unknown, streamId: string, expected: unknown, actual: number | 'no_stream'): void {
  expect(error).toBeInstanceOf(WrongExpectedRevision);
  const conflict = error as WrongExpectedRevision;
  expect({ streamId: conflict.streamId, expected: conflict.expected, actual: conflict.actual }).toEqual({
    streamId,
    expected,
    actual,
  });
}

function expectStrictlyIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Pulls batches until `count` events have arrived (a batch never splits across calls here). */
async function take(subscription: EventSubscription, count: number, timeoutMs: number): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: RecordedEvent[] = [];
  while (events.length < count) {
    const next = await withTimeout(iterator.next(), timeoutMs, `event ${events.length + 1} of ${count}`);
    if (next.done) throw new Error(`the subscription ended after ${events.length} of ${count} events`);
    events.push(...next.value);
  }
  return events;
}
