import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { ReadStore } from '../read-store.port';
import { describeReadStoreContract } from '../testing/read-store.contract';
import { createMongoReadStore } from './mongo-read-store';

const url = process.env.MONGO_URL;

if (url) {
  describeMongoReadStore(url);
} else {
  describe('MongoDB read store', () => {
    it('runs its contract only against the server MONGO_URL names', () => {
      console.log('MongoDB contract skipped: MONGO_URL is not set');
    });
  });
}

/** Every store gets its own database prefix, and its databases are dropped after its test. */
function describeMongoReadStore(mongoUrl: string): void {
  const runPrefix = `herald_test_${randomBytes(4).toString('hex')}`;
  const prefixes = new Map<ReadStore, string>();
  let stores = 0;
  const admin = new MongoClient(mongoUrl);

  const createStore = async () => {
    const databasePrefix = `${runPrefix}_${++stores}`;
    const store = createMongoReadStore({ url: mongoUrl, databasePrefix });
    prefixes.set(store, databasePrefix);
    return store;
  };

  const dropDatabases = async (prefix: string) => {
    const { databases } = await admin.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases) if (name.startsWith(`${prefix}_`)) await admin.db(name).dropDatabase();
  };

  afterAll(async () => {
    await dropDatabases(runPrefix);
    await admin.close();
  });

  describeReadStoreContract('MongoDB', createStore, {
    dispose: async (store) => {
      await store.close();
      await dropDatabases(prefixes.get(store)!);
      prefixes.delete(store);
    },
  });

  describe('MongoDB read store layout', () => {
    let store: ReadStore;
    let prefix: string;

    beforeEach(async () => {
      store = await createStore();
      prefix = prefixes.get(store)!;
    });

    afterEach(async () => {
      await store.close();
      await dropDatabases(prefix);
    });

    it('keeps each guild in its own database, keyed by document id', async () => {
      await store.forGuild('123').collection('players').upsert({ id: 'p', wins: 1 });
      const players = admin.db(`${prefix}_guild_123`).collection<{ _id: string }>('players');
      expect(await players.findOne({ _id: 'p' })).toEqual({ _id: 'p', wins: 1 });
      await store.dropScope({ kind: 'guild', id: '123' });
      const { databases } = await admin.db('admin').admin().listDatabases({ nameOnly: true });
      expect(databases.map(({ name }) => name)).not.toContain(`${prefix}_guild_123`);
    });

    it('keeps every user in one shared database, told apart by _scope', async () => {
      await store.forUser('u1').collection('follows').upsert({ id: 'f', target: 'u2' });
      await store.forUser('u2').collection('follows').upsert({ id: 'f', target: 'u1' });
      const follows = admin.db(`${prefix}_users`).collection('follows');
      expect(await follows.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
        { _id: 'u1:f', _scope: 'u1', target: 'u2' },
        { _id: 'u2:f', _scope: 'u2', target: 'u1' },
      ]);
    });

    it('reports whether the server runs transactions once it has connected', async () => {
      await store.ping();
      const hello = await admin.db('admin').command({ hello: 1 });
      expect(store.atomicTransactions).toBe(typeof hello.setName === 'string' || hello.msg === 'isdbgrid');
    });
  });
}
