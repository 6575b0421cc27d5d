import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteReadStore, InvalidReadQuery, type ReadStore } from '@herald/readstore';
import { BatchSession } from './batch-session';

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
});
