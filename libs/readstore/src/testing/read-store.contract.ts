import { InvalidReadQuery } from '../errors';
import type { Document, Filter, FindOptions, ReadStore, Scope, Sort } from '../read-store.port';

export interface ReadStoreContractOptions {
  /** Releases what `createStore` made; called after every test instead of `store.close()`. */
  dispose?: (store: ReadStore) => Promise<void>;
}

/**
 * The behaviour every `ReadStore` adapter shares, written once. Each test gets a fresh, empty store
 * from `createStore`. Where transactions are not atomic (`atomicTransactions` false), the tests check
 * the documented fallback instead: writes apply as they come.
 *
 * A store whose reads outside a transaction wait for it to finish (SQLite `:memory:`) does not fit
 * the isolation test, which reads while a transaction is held open.
 */
export function describeReadStoreContract(
  adapterName: string,
  createStore: () => Promise<ReadStore>,
  options: ReadStoreContractOptions = {},
): void {
  describe(`ReadStore contract: ${adapterName}`, () => {
    let store: ReadStore;

    beforeEach(async () => {
      store = await createStore();
    });

    afterEach(async () => {
      await (options.dispose ? options.dispose(store) : store.close());
    });

    const players = () => store.forGuild('g1').collection<Player>('players');
    const seedPlayers = async () => {
      for (const player of PLAYERS) await players().upsert(player);
    };
    const findIds = async (findOptions: FindOptions) => ids((await players().find(findOptions)).items);
    const filtered = (filter: Filter) => findIds({ filter });
    const sorted = (sort: Sort) => findIds({ sort });

    describe('documents', () => {
      it('get returns null for an id that was never stored', async () => {
        expect(await players().get('nobody')).toBeNull();
      });

      it('upsert stores a document that get returns unchanged', async () => {
        const doc = {
          id: 'doc-1',
          text: 'héllo ✓ 𝄞',
          empty: '',
          count: 42,
          ratio: -0.125,
          big: 2 ** 40,
          yes: true,
          no: false,
          nothing: null,
          list: [1, 'two', { three: 3 }, [4]],
          nested: { deeper: { deepest: 'x' }, emptyObject: {}, emptyList: [] },
        };
        await store.global().collection('things').upsert(doc);
        expect(await store.global().collection('things').get('doc-1')).toEqual(doc);
      });

      it('upsert replaces the whole document and leaves out undefined fields', async () => {
        await players().upsert({ id: 'p', name: 'Ada', wins: 1, team: 'red' });
        await players().upsert({ id: 'p', name: 'Ada', wins: 2, team: undefined });
        const stored = await players().get('p');
        expect(stored).toEqual({ id: 'p', name: 'Ada', wins: 2 });
        expect(stored).not.toHaveProperty('team');
      });

      it('patch sets the given top-level fields, replaces nested values whole and returns the result', async () => {
        await players().upsert({ id: 'p', name: 'Ada', wins: 1, stats: { total: 5, ratio: 0.2 } });
        const patched = await players().patch('p', { wins: 2, stats: { total: 6 }, team: 'blue', name: undefined });
        const expected = { id: 'p', name: 'Ada', wins: 2, stats: { total: 6 }, team: 'blue' };
        expect(patched).toEqual(expected);
        expect(await players().get('p')).toEqual(expected);
      });

      it('patch of an absent document returns null and creates nothing', async () => {
        expect(await players().patch('ghost', { wins: 1 })).toBeNull();
        expect(await players().get('ghost')).toBeNull();
        expect(await players().count()).toBe(0);
      });

      it('delete removes a document and tells whether there was one', async () => {
        await players().upsert({ id: 'p', name: 'Ada', wins: 1 });
        expect(await players().delete('p')).toBe(true);
        expect(await players().get('p')).toBeNull();
        expect(await players().delete('p')).toBe(false);
      });
    });

    describe('find filters', () => {
      beforeEach(seedPlayers);

      it('returns every document ordered by id when given no options', async () => {
        expect(ids((await players().find()).items)).toEqual(PLAYERS.map((p) => p.id));
      });

      it('matches a plain value by equality, on top-level and dotted fields', async () => {
        expect(await filtered({ rank: 'gold' })).toEqual(['p01', 'p06', 'p07']);
        expect(await filtered({ 'stats.total': 20 })).toEqual(['p03']);
        expect(await filtered({ active: false })).toEqual(['p02', 'p04', 'p07']);
        expect(await filtered({ wins: { $eq: 12 } })).toEqual(['p01', 'p03']);
      });

      it('matches null to null and missing fields, and $ne to everything else, missing fields included', async () => {
        expect(await filtered({ team: null })).toEqual(['p02', 'p03']);
        expect(await filtered({ team: { $ne: null } })).toEqual(['p01', 'p04', 'p05', 'p06', 'p07']);
        expect(await filtered({ team: { $ne: 'red' } })).toEqual(['p02', 'p03', 'p04', 'p06', 'p07']);
        expect(await filtered({ 'stats.ratio': { $ne: 0.5 } })).toEqual(['p01', 'p02', 'p03', 'p04', 'p06', 'p07']);
      });

      it('matches $in against any listed value, null standing for missing fields too', async () => {
        expect(await filtered({ rank: { $in: ['silver', 'bronze'] } })).toEqual(['p02', 'p03', 'p04', 'p05']);
        expect(await filtered({ team: { $in: [null, 'blue'] } })).toEqual(['p02', 'p03', 'p04', 'p06']);
        expect(await filtered({ wins: { $in: [] } })).toEqual([]);
      });

      it('compares $gt $gte $lt $lte within one type: numbers with numbers, strings with strings', async () => {
        expect(await filtered({ wins: { $gt: 3, $lte: 12 } })).toEqual(['p01', 'p03', 'p05', 'p07']);
        expect(await filtered({ wins: { $gte: 7 } })).toEqual(['p01', 'p03', 'p05', 'p07']);
        expect(await filtered({ wins: { $lt: 3 } })).toEqual(['p04', 'p06']);
        expect(await filtered({ 'stats.ratio': { $lt: 0.5 } })).toEqual(['p01', 'p02', 'p04']);
        expect(await filtered({ name: { $gte: 'Cy', $lt: 'Ed' } })).toEqual(['p03', 'p04']);
        expect(await filtered({ wins: { $gt: 'a' } })).toEqual([]);
        expect(await filtered({ name: { $gt: 0 } })).toEqual([]);
      });

      it('tells present fields, null ones included, from missing ones with $exists', async () => {
        expect(await filtered({ team: { $exists: true } })).toEqual(['p01', 'p02', 'p04', 'p05', 'p06', 'p07']);
        expect(await filtered({ 'stats.ratio': { $exists: false } })).toEqual(['p07']);
      });

      it('keeps booleans, numbers and strings apart', async () => {
        expect(await filtered({ marker: true })).toEqual(['p01']);
        expect(await filtered({ marker: 1 })).toEqual(['p02']);
        expect(await filtered({ marker: '1' })).toEqual(['p03']);
        expect(await filtered({ marker: { $gt: 0 } })).toEqual(['p02']);
        expect(await filtered({ marker: { $in: [true, '1'] } })).toEqual(['p01', 'p03']);
        expect(await filtered({ marker: { $ne: 1 } })).toEqual(['p01', 'p03', 'p04', 'p05', 'p06', 'p07']);
      });

      it('and-s conditions on several fields and several operators on one field', async () => {
        expect(await filtered({ rank: 'gold', active: true })).toEqual(['p01', 'p06']);
        expect(await filtered({ wins: { $gte: 1, $lt: 12, $ne: 7 }, active: { $ne: true } })).toEqual(['p02']);
      });

      it('filters on id by comparing document ids', async () => {
        expect(await filtered({ id: 'p03' })).toEqual(['p03']);
        expect(await filtered({ id: { $in: ['p05', 'p02', 'absent'] } })).toEqual(['p02', 'p05']);
        expect(await filtered({ id: { $gt: 'p05' } })).toEqual(['p06', 'p07']);
        expect(await filtered({ id: { $ne: 'p01', $lte: 'p03' } })).toEqual(['p02', 'p03']);
      });

      it('counts the documents a filter matches', async () => {
        expect(await players().count()).toBe(PLAYERS.length);
        expect(await players().count({ rank: 'gold' })).toBe(3);
        expect(await players().count({ team: null, 'stats.total': { $gte: 10 } })).toBe(2);
        expect(await store.forGuild('g2').collection('players').count()).toBe(0);
      });
    });

    describe('find order and pages', () => {
      it('sorts by a field either way, breaking ties by id ascending', async () => {
        await seedPlayers();
        expect(await sorted([['wins', -1]])).toEqual(['p01', 'p03', 'p05', 'p07', 'p02', 'p06', 'p04']);
        expect(await sorted([['wins', 1]])).toEqual(['p04', 'p06', 'p02', 'p05', 'p07', 'p01', 'p03']);
      });

      it('sorts by several fields in priority order, dotted fields too', async () => {
        await seedPlayers();
        expect(
          await sorted([
            ['rank', 1],
            ['stats.total', -1],
          ]),
        ).toEqual(['p02', 'p04', 'p07', 'p01', 'p06', 'p03', 'p05']);
      });

      it('puts null and missing values first ascending and last descending', async () => {
        await seedPlayers();
        expect(await sorted([['team', 1]])).toEqual(['p02', 'p03', 'p04', 'p06', 'p07', 'p01', 'p05']);
        expect(await sorted([['team', -1]])).toEqual(['p01', 'p05', 'p07', 'p04', 'p06', 'p02', 'p03']);
      });

      it('sorts by id alone, descending when asked', async () => {
        await seedPlayers();
        expect(await sorted([['id', -1]])).toEqual([...PLAYERS.map((p) => p.id)].reverse());
      });

      it('returns 100 documents by default, caps a page at the limit and gives no cursor after the last page', async () => {
        await seedMany(store, 150);
        const many = store.forGuild('g1').collection('many');
        const first = await many.find();
        expect(first.items).toHaveLength(100);
        expect(first.nextCursor).toEqual(expect.any(String));
        const exact = await many.find({ limit: 1000 });
        expect(exact.items).toHaveLength(150);
        expect(exact.nextCursor).toBeUndefined();
        const second = await many.find({ cursor: first.nextCursor });
        expect(second.items).toHaveLength(50);
        expect(second.nextCursor).toBeUndefined();
      });

      it('walks a multi-page result with ties and missing values without losing or repeating an item', async () => {
        await seedMany(store, 230);
        const many = store.forGuild('g1').collection('many');
        const queries: FindOptions[] = [
          { sort: [['group', 1], ['score', -1]] },
          { sort: [['score', 1]], filter: { group: { $ne: 3 } } },
          { sort: [['label', -1], ['group', 1]] },
          { filter: { score: { $gte: 10 } } },
        ];
        for (const query of queries) {
          const whole = ids((await many.find({ ...query, limit: 1000 })).items);
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await many.find({ ...query, limit: 17, cursor });
            expect(page.items.length).toBeLessThanOrEqual(17);
            paged.push(...ids(page.items));
            cursor = page.nextCursor;
          } while (cursor);
          expect(paged).toEqual(whole);
          expect(new Set(paged).size).toBe(paged.length);
          expect(paged.length).toBe(await many.count(query.filter));
        }
      });
    });

    describe('scopes', () => {
      const scopes: Scope[] = [
        { kind: 'guild', id: 'g1' },
        { kind: 'guild', id: 'g2' },
        { kind: 'user', id: 'g1' },
        { kind: 'user', id: 'u1' },
        { kind: 'global' },
      ];

      it('keeps a guild’s documents out of reach of other guilds, users and the global scope', async () => {
        await players().upsert({ id: 'p', name: 'only in g1', wins: 1 });
        for (const scope of scopes.slice(1)) {
          const elsewhere = store.forScope(scope).collection<Player>('players');
          expect(await elsewhere.get('p')).toBeNull();
          expect((await elsewhere.find()).items).toEqual([]);
          expect(await elsewhere.count()).toBe(0);
          expect(await elsewhere.patch('p', { wins: 2 })).toBeNull();
          expect(await elsewhere.delete('p')).toBe(false);
        }
        expect(await players().get('p')).toEqual({ id: 'p', name: 'only in g1', wins: 1 });
      });

      it('stores the same id in different scopes as different documents', async () => {
        for (const scope of scopes) await store.forScope(scope).collection('shared').upsert({ id: 'same', owner: describeScope(scope) });
        await store.forUser('u1').collection('shared').delete('same');
        for (const scope of scopes) {
          const found = await store.forScope(scope).collection('shared').get('same');
          if (scope.kind === 'user' && scope.id === 'u1') expect(found).toBeNull();
          else expect(found).toEqual({ id: 'same', owner: describeScope(scope) });
        }
      });

      it('reaches the same documents through forScope as through forGuild, forUser and global', async () => {
        await store.forGuild('g1').collection('c').upsert({ id: 'a' });
        await store.forUser('u1').collection('c').upsert({ id: 'b' });
        await store.global().collection('c').upsert({ id: 'c' });
        expect(await store.forScope({ kind: 'guild', id: 'g1' }).collection('c').get('a')).toEqual({ id: 'a' });
        expect(await store.forScope({ kind: 'user', id: 'u1' }).collection('c').get('b')).toEqual({ id: 'b' });
        expect(await store.forScope({ kind: 'global' }).collection('c').get('c')).toEqual({ id: 'c' });
        expect(store.forGuild('g1').scope).toEqual({ kind: 'guild', id: 'g1' });
        expect(store.forUser('u1').scope).toEqual({ kind: 'user', id: 'u1' });
        expect(store.global().scope).toEqual({ kind: 'global' });
      });

      it('lists every scope holding documents or checkpoints', async () => {
        expect(await store.listScopes()).toEqual([]);
        await store.forGuild('g1').collection('c').upsert({ id: 'a' });
        await store.forGuild('g2').collection('d').upsert({ id: 'a' });
        await store.forUser('u1').collection('c').upsert({ id: 'a' });
        await store.global().collection('c').upsert({ id: 'a' });
        await store.setCheckpoint('projection', 1, { kind: 'guild', id: 'g3' });
        expect(sortScopes(await store.listScopes())).toEqual(
          sortScopes([
            { kind: 'guild', id: 'g1' },
            { kind: 'guild', id: 'g2' },
            { kind: 'guild', id: 'g3' },
            { kind: 'user', id: 'u1' },
            { kind: 'global' },
          ]),
        );
      });

      it('lists the collections of one scope only', async () => {
        await store.forGuild('g1').collection('players').upsert({ id: 'a' });
        await store.forGuild('g1').collection('teams').upsert({ id: 'a' });
        await store.forGuild('g2').collection('matches').upsert({ id: 'a' });
        await store.forUser('u1').collection('follows').upsert({ id: 'a' });
        await store.setCheckpoint('projection', 1, { kind: 'guild', id: 'g1' });
        expect((await store.forGuild('g1').listCollections()).sort()).toEqual(['players', 'teams']);
        expect(await store.forGuild('g2').listCollections()).toEqual(['matches']);
        expect(await store.forUser('u1').listCollections()).toEqual(['follows']);
        expect(await store.forUser('u2').listCollections()).toEqual([]);
        expect(await store.global().listCollections()).toEqual([]);
      });

      it('drops a collection in one scope and nowhere else', async () => {
        await store.forGuild('g1').collection('players').upsert({ id: 'a' });
        await store.forGuild('g1').collection('teams').upsert({ id: 'a' });
        await store.forGuild('g2').collection('players').upsert({ id: 'a' });
        await store.forUser('u1').collection('players').upsert({ id: 'a' });
        await store.forGuild('g1').dropCollection('players');
        expect(await store.forGuild('g1').collection('players').count()).toBe(0);
        expect(await store.forGuild('g1').collection('teams').get('a')).toEqual({ id: 'a' });
        expect(await store.forGuild('g2').collection('players').get('a')).toEqual({ id: 'a' });
        expect(await store.forUser('u1').collection('players').get('a')).toEqual({ id: 'a' });
        await store.forGuild('g1').dropCollection('never-written');
      });

      it('drops a scope with its documents and checkpoints and leaves every other scope alone', async () => {
        for (const scope of scopes) {
          await store.forScope(scope).collection('c').upsert({ id: 'a', owner: describeScope(scope) });
          await store.setCheckpoint('projection', 7, scope);
        }
        await store.dropScope({ kind: 'guild', id: 'g1' });
        await store.dropScope({ kind: 'user', id: 'u1' });
        const dropped = [scopes[0], scopes[3]];
        for (const scope of scopes) {
          const gone = dropped.includes(scope);
          expect(await store.forScope(scope).collection('c').get('a')).toEqual(gone ? null : { id: 'a', owner: describeScope(scope) });
          expect(await store.getCheckpoint('projection', scope)).toBe(gone ? null : 7);
        }
        expect(sortScopes(await store.listScopes())).toEqual(sortScopes(scopes.filter((scope) => !dropped.includes(scope))));
        await store.dropScope({ kind: 'global' });
        expect(await store.global().collection('c').get('a')).toBeNull();
        expect(await store.getCheckpoint('projection')).toBeNull();
        expect(await store.forGuild('g2').collection('c').get('a')).toEqual({ id: 'a', owner: 'guild:g2' });
      });
    });

    describe('checkpoints', () => {
      it('reads null until set, the last position after, and null again once cleared', async () => {
        expect(await store.getCheckpoint('wins')).toBeNull();
        await store.setCheckpoint('wins', 0);
        expect(await store.getCheckpoint('wins')).toBe(0);
        await store.setCheckpoint('wins', 1234567890123);
        expect(await store.getCheckpoint('wins')).toBe(1234567890123);
        expect(await store.getCheckpoint('wins', { kind: 'global' })).toBe(1234567890123);
        await store.setCheckpoint('wins', null);
        expect(await store.getCheckpoint('wins')).toBeNull();
      });

      it('keeps a checkpoint per projection and per scope', async () => {
        await store.setCheckpoint('wins', 3, { kind: 'guild', id: 'g1' });
        await store.setCheckpoint('wins', 4, { kind: 'guild', id: 'g2' });
        await store.setCheckpoint('wins', 5, { kind: 'user', id: 'g1' });
        await store.setCheckpoint('wins', 6);
        await store.setCheckpoint('fronting', 7, { kind: 'guild', id: 'g1' });
        expect(await store.getCheckpoint('wins', { kind: 'guild', id: 'g1' })).toBe(3);
        expect(await store.getCheckpoint('wins', { kind: 'guild', id: 'g2' })).toBe(4);
        expect(await store.getCheckpoint('wins', { kind: 'user', id: 'g1' })).toBe(5);
        expect(await store.getCheckpoint('wins')).toBe(6);
        expect(await store.getCheckpoint('fronting', { kind: 'guild', id: 'g1' })).toBe(7);
        expect(await store.getCheckpoint('fronting')).toBeNull();
      });
    });

    describe('transactions', () => {
      it('commits the writes of its work and returns what work returns', async () => {
        const result = await store.transaction(async (session) => {
          await session.forGuild('g1').collection('c').upsert({ id: 'a', n: 1 });
          await session.forUser('u1').collection('c').upsert({ id: 'b', n: 2 });
          await session.setCheckpoint('projection', 10, { kind: 'guild', id: 'g1' });
          await session.setCheckpoint('projection', 11);
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.forGuild('g1').collection('c').get('a')).toEqual({ id: 'a', n: 1 });
        expect(await store.forUser('u1').collection('c').get('b')).toEqual({ id: 'b', n: 2 });
        expect(await store.getCheckpoint('projection', { kind: 'guild', id: 'g1' })).toBe(10);
        expect(await store.getCheckpoint('projection')).toBe(11);
      });

      it('lets work read its own writes', async () => {
        await store.transaction(async (session) => {
          const c = session.forGuild('g1').collection('c');
          await c.upsert({ id: 'a', n: 1 });
          await c.patch('a', { n: 2 });
          expect(await c.get('a')).toEqual({ id: 'a', n: 2 });
          expect(ids((await c.find({ filter: { n: 2 } })).items)).toEqual(['a']);
          expect(await c.count()).toBe(1);
          await session.setCheckpoint('projection', 5);
          expect(await session.getCheckpoint('projection')).toBe(5);
        });
      });

      it('hands an error thrown by work to the caller, and an atomic store keeps none of its writes', async () => {
        const c = store.forGuild('g1').collection('c');
        await c.upsert({ id: 'kept', n: 1 });
        await c.upsert({ id: 'doomed', n: 1 });
        await store.setCheckpoint('projection', 1);
        const failure = new Error('work failed');
        await expect(
          store.transaction(async (session) => {
            const inside = session.forGuild('g1').collection('c');
            await inside.upsert({ id: 'new', n: 1 });
            await inside.patch('kept', { n: 2 });
            await inside.delete('doomed');
            await session.setCheckpoint('projection', 2);
            throw failure;
          }),
        ).rejects.toBe(failure);
        if (store.atomicTransactions) {
          expect(await c.get('new')).toBeNull();
          expect(await c.get('kept')).toEqual({ id: 'kept', n: 1 });
          expect(await c.get('doomed')).toEqual({ id: 'doomed', n: 1 });
          expect(await store.getCheckpoint('projection')).toBe(1);
        } else {
          expect(await c.get('new')).toEqual({ id: 'new', n: 1 });
          expect(await store.getCheckpoint('projection')).toBe(2);
        }
      });

      it('hides writes from reads outside the transaction until it commits, where transactions are atomic', async () => {
        const c = store.global().collection('c');
        const written = deferred();
        const release = deferred();
        const running = store.transaction(async (session) => {
          await session.global().collection('c').upsert({ id: 'a' });
          await session.setCheckpoint('projection', 3);
          written.resolve();
          await release.promise;
        });
        await written.promise;
        expect(await c.get('a')).toEqual(store.atomicTransactions ? null : { id: 'a' });
        expect(await c.count()).toBe(store.atomicTransactions ? 0 : 1);
        expect(await store.getCheckpoint('projection')).toBe(store.atomicTransactions ? null : 3);
        release.resolve();
        await running;
        expect(await c.get('a')).toEqual({ id: 'a' });
        expect(await store.getCheckpoint('projection')).toBe(3);
      });

      it('joins a transaction started inside work to the running one', async () => {
        const failure = new Error('outer failed');
        await expect(
          store.transaction(async (outer) => {
            const value = await store.transaction(async (inner) => {
              await inner.global().collection('c').upsert({ id: 'inner' });
              return 'inner done';
            });
            expect(value).toBe('inner done');
            expect(await outer.global().collection('c').get('inner')).toEqual({ id: 'inner' });
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await store.global().collection('c').get('inner')).toEqual(store.atomicTransactions ? null : { id: 'inner' });
      });

      it('makes calls through the store itself from inside work part of the transaction', async () => {
        const failure = new Error('work failed');
        await expect(
          store.transaction(async () => {
            await store.global().collection('c').upsert({ id: 'root' });
            expect(await store.global().collection('c').get('root')).toEqual({ id: 'root' });
            await store.setCheckpoint('projection', 4);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await store.global().collection('c').get('root')).toEqual(store.atomicTransactions ? null : { id: 'root' });
        expect(await store.getCheckpoint('projection')).toBe(store.atomicTransactions ? null : 4);
      });
    });

    describe('invalid input', () => {
      const badFields = ['', 'a b', 'a;b', "a'b", 'a"b', 'a..b', '.a', 'a.', '$where', 'a-b', '_id', '_scope', '_id.x'];

      it('refuses bad field names in filters and sorts with InvalidReadQuery', async () => {
        for (const field of badFields) {
          await expect(players().find({ filter: { [field]: 1 } })).rejects.toBeInstanceOf(InvalidReadQuery);
          await expect(players().count({ [field]: 1 })).rejects.toBeInstanceOf(InvalidReadQuery);
          await expect(players().find({ sort: [[field, 1]] })).rejects.toBeInstanceOf(InvalidReadQuery);
        }
      });

      it('refuses unknown operators, malformed values, sorts and limits with InvalidReadQuery', async () => {
        const badFilters: unknown[] = [
          { name: { $regex: '^A' } },
          { name: { $in: 'Ada' } },
          { name: ['Ada'] },
          { name: {} },
          { name: { nested: 1 } },
          { wins: Number.NaN },
          { wins: { $gt: Number.POSITIVE_INFINITY } },
          { active: { $exists: 1 } },
          { id: 5 },
          { id: { $in: ['a', null] } },
          'rank = gold',
        ];
        for (const filter of badFilters) {
          await expect(players().find({ filter: filter as Filter })).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        const badSorts: unknown[] = ['wins', [['wins', 0]], [['wins']], [['wins', 1], ['wins', -1]], [['wins', 'asc']]];
        for (const sort of badSorts) {
          await expect(players().find({ sort: sort as Sort })).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        for (const limit of [0, -1, 1001, 2.5, Number.NaN]) {
          await expect(players().find({ limit })).rejects.toBeInstanceOf(InvalidReadQuery);
        }
      });

      it('refuses a cursor that was not issued for the query with InvalidReadQuery', async () => {
        await seedPlayers();
        const page = await players().find({ sort: [['wins', 1]], limit: 2 });
        const forged = Buffer.from(JSON.stringify({ s: 'wins:1,id:1', v: [{ $gt: 1 }, 'p01'] })).toString('base64url');
        const badCursors = ['', 'not a cursor!', Buffer.from('{"x":1}').toString('base64url'), page.nextCursor!.slice(0, -4), forged];
        for (const cursor of badCursors) {
          await expect(players().find({ sort: [['wins', 1]], cursor })).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        await expect(players().find({ sort: [['name', 1]], cursor: page.nextCursor })).rejects.toBeInstanceOf(InvalidReadQuery);
      });

      it('refuses bad collection names and scope ids with InvalidReadQuery', async () => {
        for (const name of ['', 'a/b', 'a.b', '$x', '-a', 'a b', 'x'.repeat(65), '_checkpoints']) {
          expect(() => store.global().collection(name)).toThrow(InvalidReadQuery);
          await expect(store.global().dropCollection(name)).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        for (const id of ['', 'a.b', 'a b', 'a/b', 'x'.repeat(65)]) {
          expect(() => store.forGuild(id)).toThrow(InvalidReadQuery);
          expect(() => store.forUser(id)).toThrow(InvalidReadQuery);
        }
        expect(() => store.forScope({ kind: 'planet', id: 'x' } as unknown as Scope)).toThrow(InvalidReadQuery);
        await expect(store.dropScope({ kind: 'guild', id: '' })).rejects.toBeInstanceOf(InvalidReadQuery);
      });

      it('refuses documents, patches and checkpoints it cannot store with InvalidReadQuery', async () => {
        const c = store.global().collection('c');
        for (const doc of [{ id: '' }, { id: 5 }, { name: 'no id' }, { id: 'a', _id: 'b' }, { id: 'a', _scope: 'x' }]) {
          await expect(c.upsert(doc as unknown as Document)).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        await c.upsert({ id: 'a', n: 1 });
        for (const fields of [{ 'n.x': 1 }, { $set: 1 }, { _id: 'b' }, { id: 'b' }]) {
          await expect(c.patch('a', fields)).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        expect(await c.get('a')).toEqual({ id: 'a', n: 1 });
        for (const position of [-1, 1.5, Number.NaN]) {
          await expect(store.setCheckpoint('projection', position)).rejects.toBeInstanceOf(InvalidReadQuery);
        }
        await expect(store.setCheckpoint('', 1)).rejects.toBeInstanceOf(InvalidReadQuery);
        await expect(c.get('')).rejects.toBeInstanceOf(InvalidReadQuery);
      });
    });

    it('answers ping while reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

interface Player extends Document {
  name: string;
  wins: number;
  rank?: string;
  active?: boolean;
  stats?: { total: number; ratio?: number };
  team?: string | null;
  marker?: unknown;
}

/** p02's team is null and p03 has none; `marker` holds true, 1, '1', 0 and false to test type-exact matching. */
const PLAYERS: Player[] = [
  { id: 'p01', name: 'Ada', wins: 12, rank: 'gold', active: true, stats: { total: 30, ratio: 0.4 }, team: 'red', marker: true },
  { id: 'p02', name: 'Bo', wins: 3, rank: 'bronze', active: false, stats: { total: 10, ratio: 0.3 }, team: null, marker: 1 },
  { id: 'p03', name: 'Cy', wins: 12, rank: 'silver', active: true, stats: { total: 20, ratio: 0.6 }, marker: '1' },
  { id: 'p04', name: 'Di', wins: 0, rank: 'bronze', active: false, stats: { total: 5, ratio: 0 }, team: 'blue', marker: 0 },
  { id: 'p05', name: 'Ed', wins: 7, rank: 'silver', active: true, stats: { total: 14, ratio: 0.5 }, team: 'red', marker: false },
  { id: 'p06', name: 'Flo', wins: 1, rank: 'gold', active: true, stats: { total: 1, ratio: 1 }, team: 'blue' },
  { id: 'p07', name: 'Gus', wins: 7, rank: 'gold', active: false, stats: { total: 40 }, team: 'green' },
];

/** Documents with many ties (`group`), some missing `score`s and some null `label`s. */
async function seedMany(store: ReadStore, count: number): Promise<void> {
  await store.transaction(async (session) => {
    const many = session.forGuild('g1').collection('many');
    for (let i = 0; i < count; i++) {
      const doc: Document = { id: `m${String(i).padStart(4, '0')}`, group: i % 7, label: i % 5 === 0 ? null : `l${i % 4}` };
      if (i % 11 !== 0) doc.score = (i * 37) % 23;
      await many.upsert(doc);
    }
  });
}

function ids(items: Document[]): string[] {
  return items.map((item) => item.id);
}

function describeScope(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.id}`;
}

function sortScopes(scopes: Scope[]): string[] {
  return scopes.map(describeScope).sort();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
