import type { KeyStore, WrappedDataKey } from './key-store.port';

export interface MongoKeyStoreOptions {
  url: string;
  /** A database of its own, apart from read-model databases, so dropping read models never drops keys. */
  databaseName: string;
}

interface KeyDocument extends WrappedDataKey {
  _id: string;
}

const DUPLICATE_KEY = 11000;

export function createMongoKeyStore(options: MongoKeyStoreOptions): KeyStore {
  // Required here, not imported: the driver loads only where MongoDB is used.
  const { MongoClient, MongoServerError }: typeof import('mongodb') = require('mongodb');
  const client = new MongoClient(options.url);
  const keys = client
    .db(options.databaseName)
    .collection<KeyDocument>('data_keys', {
      writeConcern: { w: 'majority', journal: true },
      readConcern: { level: 'majority' },
    });
  const fromDocument = (doc: KeyDocument | null): WrappedDataKey | null =>
    doc === null ? null : { keyId: doc.keyId, iv: doc.iv, tag: doc.tag, ct: doc.ct };
  const getKey = async (subject: string) => fromDocument(await keys.findOne({ _id: subject }));

  return {
    getKey,
    createKey: async (subject, key) => {
      try {
        await keys.insertOne({ _id: subject, keyId: key.keyId, iv: key.iv, tag: key.tag, ct: key.ct });
        return key;
      } catch (error) {
        // Another caller created the subject's key first: theirs stands.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        const standing = await getKey(subject);
        if (standing === null) throw error;
        return standing;
      }
    },
    deleteKey: async (subject) => (await keys.deleteOne({ _id: subject })).deletedCount > 0,
    close: () => client.close(),
  };
}
