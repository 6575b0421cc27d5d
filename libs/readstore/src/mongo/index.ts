import type { ReadStore } from '../read-store.port';
import type { MongoReadStoreOptions } from './mongo-read-store';

export type { MongoReadStoreOptions };

/** Loads the MongoDB adapter, and the driver, only when it is used. */
export function createMongoReadStore(options: MongoReadStoreOptions): ReadStore {
  const adapter: typeof import('./mongo-read-store') = require('./mongo-read-store');
  return adapter.createMongoReadStore(options);
}
