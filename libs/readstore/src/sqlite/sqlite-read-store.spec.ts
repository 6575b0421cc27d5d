import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStoreUnavailable } from '../errors';
import type { Document, ReadStore } from '../read-store.port';
import { describeReadStoreContract } from '../testing/read-store.contract';
import { createSqliteReadStore } from './sqlite-read-store';

const directory = mkdtempSync(join(tmpdir(), 'herald-readstore-'));
let files = 0;
const nextPath = () => join(directory, `store-${++files}.sqlite`);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeReadStoreContract('SQLite', async () => createSqliteReadStore({ path: nextPath() }));

describe('SQLite read store', () => {
  const opened: ReadStore[] = [];
  const open = (path: string) => {
    const store = createSqliteReadStore({ path });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('keeps documents and checkpoints across closing and reopening the file', async () => {
    const path = nextPath();
    const first = open(path);
    await first.transaction(async (session) => {
      await session.forGuild('g1').collection('players').upsert({ id: 'p', wins: 3 });
      await session.setCheckpoint('wins', 42, { kind: 'guild', id: 'g1' });
    });
    await first.close();

    const reopened = open(path);
    expect(await reopened.forGuild('g1').collection('players').get('p')).toEqual({ id: 'p', wins: 3 });
    expect(await reopened.getCheckpoint('wins', { kind: 'guild', id: 'g1' })).toBe(42);
  });

  it('makes writes outside a running transaction wait for it, so its rollback loses none of them', async () => {
    const store = open(nextPath());
    const counters = store.global().collection<Counter>('counters');
    await counters.upsert({ id: 'c', value: 0 });
    const issued = deferred();
    const running = store.transaction(async (session) => {
      await session.global().collection('counters').upsert({ id: 'c', value: 100 });
      await issued.promise;
      await new Promise((resolve) => setImmediate(resolve));
      expect(await session.global().collection('counters').count()).toBe(1);
      throw new Error('rolled back');
    });
    const outside = Array.from({ length: 20 }, (_, i) => counters.upsert({ id: `outside-${i}`, value: i }));
    const patched = counters.patch('c', { touched: true });
    issued.resolve();
    await expect(running).rejects.toThrow('rolled back');
    await Promise.all([...outside, patched]);
    expect(await counters.count()).toBe(21);
    expect(await counters.get('c')).toEqual({ id: 'c', value: 0, touched: true });
  });

  it('runs concurrent transactions one after another, so read-modify-write loses no update', async () => {
    const store = open(nextPath());
    const counters = store.global().collection<Counter>('counters');
    await counters.upsert({ id: 'c', value: 0 });
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        store.transaction(async (session) => {
          const inside = session.global().collection<Counter>('counters');
          const current = await inside.get('c');
          await new Promise((resolve) => setImmediate(resolve));
          await inside.upsert({ id: 'c', value: current!.value + 1 });
          if (i % 5 === 0) throw new Error('rolled back');
        }).catch(() => undefined),
      ),
    );
    expect((await counters.get('c'))!.value).toBe(20);
  });

  it('shows writes committed by another store on the same file, as the CLI and the server share one', async () => {
    const path = nextPath();
    const server = open(path);
    const cli = open(path);
    await cli.transaction(async (session) => {
      await session.global().collection('leases').upsert({ id: 'rebuild', holder: 'cli' });
    });
    expect(await server.global().collection('leases').get('rebuild')).toEqual({ id: 'rebuild', holder: 'cli' });
    await server.global().collection('leases').delete('rebuild');
    expect(await cli.global().collection('leases').get('rebuild')).toBeNull();
  });

  it('works in memory, where reads outside a transaction wait for it to finish', async () => {
    const store = open(':memory:');
    const c = store.global().collection('c');
    const release = deferred();
    const running = store.transaction(async (session) => {
      await session.global().collection('c').upsert({ id: 'a' });
      await release.promise;
    });
    let seen: Document | null | undefined;
    const read = c.get('a').then((doc) => (seen = doc));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toBeUndefined();
    release.resolve();
    await Promise.all([running, read]);
    expect(seen).toEqual({ id: 'a' });
  });

  it('refuses work once closed with ReadStoreUnavailable', async () => {
    const store = open(nextPath());
    await store.close();
    await expect(store.global().collection('c').get('a')).rejects.toBeInstanceOf(ReadStoreUnavailable);
    await expect(store.global().collection('c').upsert({ id: 'a' })).rejects.toBeInstanceOf(ReadStoreUnavailable);
    await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(ReadStoreUnavailable);
    await expect(store.ping()).rejects.toBeInstanceOf(ReadStoreUnavailable);
  });

  it('fails a session used after its transaction ended instead of writing outside it', async () => {
    const store = open(nextPath());
    let leaked: Parameters<Parameters<ReadStore['transaction']>[0]>[0] | undefined;
    await store.transaction(async (session) => {
      leaked = session;
    });
    await expect(leaked!.global().collection('c').upsert({ id: 'late' })).rejects.toThrow('already finished');
    expect(await store.global().collection('c').get('late')).toBeNull();
  });

  it('reports a file it cannot open as ReadStoreUnavailable', () => {
    const notADirectory = join(directory, 'plain-file');
    writeFileSync(notADirectory, '');
    expect(() => createSqliteReadStore({ path: join(notADirectory, 'store.sqlite') })).toThrow(ReadStoreUnavailable);
  });
});

interface Counter extends Document {
  value: number;
  touched?: boolean;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
