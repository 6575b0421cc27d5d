import type { EventStore } from '../event-store.port';
import type { EsdbEventStoreOptions } from './esdb-event-store';

export type { EsdbEventStoreOptions };

/** Loads the EventStoreDB adapter, and its gRPC client (about 20 MB), only when it is used. */
export function createEsdbEventStore(options: EsdbEventStoreOptions): EventStore {
  const adapter: typeof import('./esdb-event-store') = require('./esdb-event-store');
  return adapter.createEsdbEventStore(options);
}
