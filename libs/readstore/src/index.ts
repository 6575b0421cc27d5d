export * from './read-store.port';
export * from './errors';
export { createSqliteReadStore, type SqliteReadStoreOptions } from './sqlite/sqlite-read-store';
export { createMongoReadStore, type MongoReadStoreOptions } from './mongo';
export { assertCollectionName, assertDocument, assertDocumentId, patchedFields } from './validation';
