import { BACKWARDS, END, ErrorType, EventStoreDBClient, ANY } from '@eventstore/db-client';
import { assertPlace, assertPositiveCount, assertValidAppend } from '../append-input';
import { normalizeFilter } from '../event-filter';
import type { EventStore, EventSubscription } from '../event-store.port';
import { appendToStream } from './append-to-stream';
import { translateEsdbError } from './esdb-errors';
import { readAll } from './read-all';
import { readAllPages } from '../read-all-pages';
import { readStream } from './read-stream';
import { EsdbSubscription } from './subscribe-to-all';

export interface EsdbEventStoreOptions {
  /** Connection string, e.g. `esdb://localhost:2113?tls=false`. */
  url: string;
}

const DEFAULT_READ_ALL_PAGE = 1_000;
const DEFAULT_BATCH_SIZE = 500;
const PING_DEADLINE_MS = 5_000;

/**
 * The production event store on EventStoreDB, with the embedded store's semantics: 0-based
 * revisions, numeric positions (the `commit` half of `$all` positions), inclusive reads,
 * exclusive subscription starts, system events hidden. A deleted stream is tombstoned: its name is
 * dead at once, but its events stay in `$all` until the server's next scavenge.
 */
export function createEsdbEventStore(options: EsdbEventStoreOptions): EventStore {
  const client = EventStoreDBClient.connectionString(options.url);
  const subscriptions = new Set<EsdbSubscription>();
  let closed = false;

  const store: EventStore = {
    async append(streamId, events, { expectedRevision }) {
      assertValidAppend(streamId, events, expectedRevision);
      return appendToStream(client, streamId, events, expectedRevision);
    },

    async readStream(streamId, readOptions = {}) {
      assertPlace('fromRevision', readOptions.fromRevision);
      assertPositiveCount('maxCount', readOptions.maxCount);
      return readStream(client, streamId, readOptions);
    },

    async readAll({ fromPosition, direction = 'forwards', maxCount = DEFAULT_READ_ALL_PAGE, filter } = {}) {
      assertPlace('fromPosition', fromPosition);
      assertPositiveCount('maxCount', maxCount);
      return readAll(client, { fromPosition, direction, maxCount, filter: normalizeFilter(filter) });
    },

    // No read-ahead here: the server streams pages to the client on its own.
    async *scanAll({ afterPosition, filter, pageSize = DEFAULT_READ_ALL_PAGE } = {}) {
      assertPlace('afterPosition', afterPosition);
      assertPositiveCount('pageSize', pageSize);
      const head = await store.headPosition();
      if (head === null) return;
      for await (const page of readAllPages(store, { afterPosition, filter, pageSize })) {
        const upToHead = page.filter((event) => event.position <= head);
        if (upToHead.length > 0) yield upToHead;
        if (upToHead.length < page.length) return;
      }
    },

    subscribeToAll({ afterPosition, filter, maxBatchSize = DEFAULT_BATCH_SIZE } = {}): EventSubscription {
      assertPlace('afterPosition', afterPosition);
      assertPositiveCount('maxBatchSize', maxBatchSize);
      if (closed) throw new Error('subscribeToAll on a closed event store');
      const subscription = new EsdbSubscription(client, afterPosition, normalizeFilter(filter), maxBatchSize, (ended) =>
        subscriptions.delete(ended),
      );
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      const [newest] = await readAll(client, { direction: 'backwards', maxCount: 1 });
      return newest?.position ?? null;
    },

    async deleteStream(streamId) {
      try {
        await client.tombstoneStream(streamId, { expectedRevision: ANY });
      } catch (error) {
        // Deleting twice is not an error: the stream is as gone as the caller wants it.
        if (error instanceof Error && (error as { type?: unknown }).type === ErrorType.STREAM_DELETED) return;
        throw translateEsdbError(error, { streamId });
      }
    },

    async ping() {
      try {
        const read = client.readAll({
          direction: BACKWARDS,
          fromPosition: END,
          maxCount: 1,
          deadline: PING_DEADLINE_MS,
        });
        for await (const _ of read) break;
      } catch (error) {
        throw translateEsdbError(error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await client.dispose();
    },
  };
  return store;
}
