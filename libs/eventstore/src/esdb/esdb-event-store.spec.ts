import { randomUUID } from 'node:crypto';
import { StreamDeletedError, UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { EventStoreUnavailable, StreamDeleted, WrongExpectedRevision } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { translateEsdbError } from './esdb-errors';
import { createEsdbEventStore } from './esdb-event-store';
import { testEvent } from '@herald/core/testing';

const url = process.env.EVENTSTORE_URL;

if (url) {
  // A shared server: other data sits in $all, and tombstoned events stay there until a scavenge.
  describeEventStoreContract('EventStoreDB', async () => createEsdbEventStore({ url }), {
    isolatedLog: false,
    deleteRemovesFromGlobalLog: false,
    liveTimeoutMs: 10_000,
  });
} else {
  describe('EventStore contract: EventStoreDB', () => {
    it('is skipped because EVENTSTORE_URL is not set', () => {
      console.log(
        'EventStoreDB contract skipped: EVENTSTORE_URL is not set (e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false)',
      );
    });
  });
}

describe('EventStoreDB errors in the port terms', () => {
  it('a wrong expected version becomes WrongExpectedRevision with a numeric or no_stream actual revision', () => {
    const behind = translateEsdbError(
      new WrongExpectedVersionError(undefined, { streamName: 'guild-1', expected: BigInt(1), current: BigInt(3) }),
      { streamId: 'guild-1', expectedRevision: 1 },
    );
    const missing = translateEsdbError(
      new WrongExpectedVersionError(undefined, {
        streamName: 'guild-2',
        expected: 'stream_exists',
        current: 'no_stream',
      }),
      { streamId: 'guild-2', expectedRevision: 'stream_exists' },
    );

    expect(behind).toEqual(new WrongExpectedRevision('guild-1', 1, 3));
    expect(missing).toEqual(new WrongExpectedRevision('guild-2', 'stream_exists', 'no_stream'));
    expect((missing as WrongExpectedRevision).actual).toBe('no_stream');
  });

  it('a tombstoned stream becomes StreamDeleted and an unreachable server EventStoreUnavailable', () => {
    expect(translateEsdbError(new StreamDeletedError(undefined, 'guild-1'), { streamId: 'guild-1' })).toEqual(
      new StreamDeleted('guild-1'),
    );
    expect(translateEsdbError(new UnavailableError())).toBeInstanceOf(EventStoreUnavailable);
  });

  it('every call to a server that cannot be reached fails as EventStoreUnavailable', async () => {
    const store = createEsdbEventStore({ url: 'esdb://127.0.0.1:1?tls=false' });
    const event = testEvent('Noted');
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
      await expect(store.append('guild-1', [event], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
        EventStoreUnavailable,
      );
      await expect(store.readStream('guild-1')).rejects.toBeInstanceOf(EventStoreUnavailable);
      await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailable);
      await expect(store.deleteStream('guild-1')).rejects.toBeInstanceOf(EventStoreUnavailable);
      // Serialised before sending: the client would otherwise never settle this append.
      const unserialisable = { ...event, id: randomUUID(), data: { amount: BigInt(1) } };
      await expect(store.append('guild-1', [unserialisable], { expectedRevision: 'any' })).rejects.toThrow(/BigInt/);
    } finally {
      await store.close();
    }
  });
});
