import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AccessDeniedError,
  START,
  UnavailableError,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type ReadPosition,
} from '@eventstore/db-client';
import type { RecordedEvent } from '@herald/core';
import { normalizeFilter } from '../event-filter';
import { EsdbSubscription } from './subscribe-to-all';

/**
 * A stand-in for the server side of `subscribeToAll`: it serves `$all` from an in-memory log,
 * exclusive of the start position, as an object-mode stream, and remembers where each
 * subscription started. Lets the batching and resubscription logic run without a server.
 */
class FakeAllStream {
  readonly log: AllStreamResolvedEvent[] = [];
  readonly starts: ReadPosition[] = [];
  readonly open: Readable[] = [];

  append(streamId: string, type = 'Noted'): AllStreamResolvedEvent {
    const commit = BigInt(100 + this.log.length * 37); // gaps, like real byte offsets
    const resolved = {
      event: {
        streamId,
        id: randomUUID(),
        revision: BigInt(0),
        type,
        data: { n: this.log.length },
        metadata: { source: 'system' },
        isJson: true as const,
        created: new Date(),
        position: { commit, prepare: commit },
      },
      commitPosition: commit,
    } as AllStreamResolvedEvent;
    this.log.push(resolved);
    for (const stream of this.open) if (!stream.destroyed) stream.push(resolved);
    return resolved;
  }

  subscribeToAll(
    { fromPosition = START }: { fromPosition?: ReadPosition },
    { highWaterMark }: { highWaterMark?: number },
  ) {
    this.starts.push(fromPosition);
    const stream = Object.assign(new Readable({ objectMode: true, highWaterMark, read() {} }), {
      unsubscribe: async () => {
        stream.destroy();
      },
    });
    for (const resolved of this.log) {
      if (
        fromPosition === START ||
        (typeof fromPosition === 'object' && resolved.event!.position.commit > fromPosition.commit)
      ) {
        stream.push(resolved);
      }
    }
    this.open.push(stream);
    return stream;
  }

  dropAll(error: Error): void {
    for (const stream of this.open.splice(0)) stream.destroy(error);
  }

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }
}

const idOf = (resolved: AllStreamResolvedEvent) => resolved.event!.id;
const ids = (events: RecordedEvent[]) => events.map((event) => event.id);

async function nextBatch(subscription: EsdbSubscription): Promise<RecordedEvent[]> {
  const next = await subscription.next();
  if (next.done) throw new Error('the subscription ended');
  return next.value;
}

describe('EventStoreDB subscription (against an in-memory $all)', () => {
  it('hides system events, applies the filter and delivers batches of at most maxBatchSize', async () => {
    const server = new FakeAllStream();
    const kept = [server.append('guild-1'), server.append('guild-2'), server.append('guild-3')];
    server.append('$stats-127.0.0.1');
    server.append('guild-1', '$metadata');
    server.append('user-1');
    kept.push(server.append('guild-4'));
    const subscription = new EsdbSubscription(
      server.asClient(),
      undefined,
      normalizeFilter({ streamPrefixes: ['guild-'] }),
      2,
      () => {},
    );

    const batches = [await nextBatch(subscription), await nextBatch(subscription)];

    expect(batches.map(ids)).toEqual([kept.slice(0, 2).map(idOf), kept.slice(2).map(idOf)]);
    await subscription.close();
  });

  it('after a dropped subscription, resubscribes after the last delivered event and loses or repeats nothing', async () => {
    const server = new FakeAllStream();
    const first = [server.append('guild-1'), server.append('guild-1'), server.append('guild-2')];
    const subscription = new EsdbSubscription(server.asClient(), undefined, undefined, 10, () => {});
    const beforeDrop = await nextBatch(subscription);

    server.dropAll(new UnavailableError());
    const later = [server.append('guild-3'), server.append('guild-1')];
    const afterDrop = await nextBatch(subscription);

    expect(ids(beforeDrop)).toEqual(first.map(idOf));
    expect(ids(afterDrop)).toEqual(later.map(idOf));
    expect(server.starts).toEqual([START, first[2].event!.position]);
    await subscription.close();
  });

  it('starts after the given position, exclusive', async () => {
    const server = new FakeAllStream();
    const [, second, third] = [server.append('guild-1'), server.append('guild-1'), server.append('guild-1')];
    const subscription = new EsdbSubscription(
      server.asClient(),
      Number(second.event!.position.commit) - 37,
      undefined,
      10,
      () => {},
    );

    expect(ids(await nextBatch(subscription))).toEqual([idOf(second), idOf(third)]);
    await subscription.close();
  });

  it('a refusal that retrying cannot fix reaches the consumer', async () => {
    const server = new FakeAllStream();
    const subscription = new EsdbSubscription(server.asClient(), undefined, undefined, 10, () => {});
    const pending = subscription.next();
    await new Promise(setImmediate); // the pull subscribes asynchronously

    server.dropAll(new AccessDeniedError());

    await expect(pending).rejects.toBeInstanceOf(AccessDeniedError);
    await subscription.close();
  });

  it('close() ends a pending next()', async () => {
    const server = new FakeAllStream();
    const subscription = new EsdbSubscription(server.asClient(), undefined, undefined, 10, () => {});
    const pending = subscription.next();

    await subscription.close();

    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});
