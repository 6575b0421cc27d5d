import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteReadStore, InvalidReadQuery, type ReadStore } from '@herald/readstore';
import { BatchSession, DocumentCache } from './batch-session';

describe('BatchSession: one read and one write per document per batch, same results as the store', () => {
  let dir: string;
  let store: ReadStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-batch-'));
    store = createSqliteReadStore({ path: join(dir, 'read.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads its own writes, and the store sees them only once flushed in the transaction', async () => {
    await store.forGuild('1').collection('members').upsert({ id: 'a', wins: 1 });
    await store.transaction(async (session) => {
      const batch = new BatchSession(session);
      const members = batch.forGuild('1').collection<{ id: string; wins: number; name?: string }>('members');
      expect(await members.patch('a', { wins: 2 })).toEqual({ id: 'a', wins: 2 });
      expect(await members.patch('missing', { wins: 2 })).toBeNull();
      await members.upsert({ id: 'b', wins: 5, name: undefined });
      expect(await members.get('b')).toEqual({ id: 'b', wins: 5 });
      expect(await members.delete('b')).toBe(true);
      expect(await members.get('b')).toBeNull();
      expect(await members.delete('b')).toBe(false);
      await members.upsert({ id: 'c', wins: 7 });
      expect(await store.forGuild('1').collection('members').get('a')).toEqual({ id: 'a', wins: 1 });
      // Queries write what is pending first, so they agree with get().
      expect((await members.find({ sort: [['wins', -1]] })).items.map((d) => d.id)).toEqual(['c', 'a']);
      expect(await members.count()).toBe(2);
      await batch.flush();
    });
    const members = store.forGuild('1').collection('members');
    expect((await members.find()).items).toEqual([
      { id: 'a', wins: 2 },
      { id: 'c', wins: 7 },
    ]);
  });

  it('writes nothing when the transaction fails', async () => {
    await expect(
      store.transaction(async (session) => {
        const batch = new BatchSession(session);
        await batch.forUser('u').collection('prefs').upsert({ id: 'x', on: true });
        await batch.flush();
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await store.forUser('u').collection('prefs').get('x')).toBeNull();
  });

  it('refuses bad documents when they are written, not later at the flush', async () => {
    await store.transaction(async (session) => {
      const members = new BatchSession(session).global().collection('members');
      await expect(members.upsert({ id: '' })).rejects.toBeInstanceOf(InvalidReadQuery);
      await expect(members.patch('a', { 'a.b': 1 } as never)).rejects.toBeInstanceOf(InvalidReadQuery);
    });
  });

  describe('with a DocumentCache carried from batch to batch (a rebuild)', () => {
    type Member = { id: string; wins: number };
    /** One batch in its transaction: returns what `get` gave, after `work`. */
    async function batch(cache: DocumentCache, work: (members: ReturnType<BatchSession['global']>) => Promise<void>, fail = false) {
      let unitOfWork: BatchSession | undefined;
      await store.transaction(async (session) => {
        unitOfWork = new BatchSession(session, cache);
        await work(unitOfWork.global());
        await unitOfWork.flush();
        if (fail) throw new Error('projection failed');
      });
      unitOfWork!.committed();
    }

    it('serves a later batch what an earlier one committed, without reading the store again', async () => {
      const cache = new DocumentCache();
      await batch(cache, async (scope) => {
        await scope.collection<Member>('members').upsert({ id: 'a', wins: 1 });
        expect(await scope.collection<Member>('members').get('gone')).toBeNull();
      });
      expect(cache.documentCount).toBe(2);
      // Written behind the cache's back (only a rebuild holding the lease carries one, so nobody does this).
      await store.global().collection('members').upsert({ id: 'a', wins: 99 });
      await store.global().collection('members').upsert({ id: 'gone', wins: 5 });
      let seen: unknown[] = [];
      await batch(cache, async (scope) => {
        seen = [await scope.collection('members').get('a'), await scope.collection('members').get('gone')];
      });
      expect(seen).toEqual([{ id: 'a', wins: 1 }, null]);
    });

    it('keeps nothing of a batch whose transaction failed', async () => {
      const cache = new DocumentCache();
      await batch(cache, (scope) => scope.collection<Member>('members').upsert({ id: 'a', wins: 1 }));
      await expect(batch(cache, (scope) => scope.collection<Member>('members').upsert({ id: 'a', wins: 2 }), true)).rejects.toThrow();
      let seen: unknown;
      await batch(cache, async (scope) => {
        seen = await scope.collection('members').get('a');
      });
      expect(seen).toEqual({ id: 'a', wins: 1 });
    });

    it('forgets a dropped collection and deleted documents, and starts again empty past its bound', async () => {
      const cache = new DocumentCache(3);
      await batch(cache, async (scope) => {
        await scope.collection<Member>('members').upsert({ id: 'a', wins: 1 });
        await scope.collection<Member>('members').upsert({ id: 'b', wins: 1 });
      });
      await batch(cache, async (scope) => {
        await scope.dropCollection('members');
        await scope.collection<Member>('members').upsert({ id: 'c', wins: 3 });
        expect(await scope.collection('members').delete('c')).toBe(true);
      });
      let seen: unknown[] = [];
      await batch(cache, async (scope) => {
        seen = await Promise.all(['a', 'b', 'c'].map((id) => scope.collection('members').get(id)));
      });
      expect(seen).toEqual([null, null, null]);
      expect(cache.documentCount).toBe(3);
      await batch(cache, (scope) => scope.collection<Member>('members').upsert({ id: 'd', wins: 4 }));
      expect(cache.documentCount).toBe(0);
    });
  });
});
