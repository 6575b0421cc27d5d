import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEvent } from '@herald/core/testing';
import { openEventLog } from './schema';
import { createSqliteEventStore } from './sqlite-event-store';
import { WalSync } from './wal-sync';

let directory: string;
beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'herald-wal-sync-'))));
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('WalSync', () => {
  it('calls back every commit in the order they came, those arriving during an fsync after the next one', async () => {
    const path = join(directory, 'events.sqlite');
    const db = openEventLog(path, 'NORMAL');
    db.exec("INSERT INTO deleted_streams (stream_id, head_position) VALUES ('s', 0)");
    const sync = new WalSync(`${path}-wal`);
    const order: number[] = [];
    const all = [1, 2, 3].map((n) => new Promise<void>((resolve, reject) => sync.afterCommit((error) => (error ? reject(error) : (order.push(n), resolve())))));
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3]);
    await sync.close();
    db.close();
  });

  it('reports a WAL it cannot open as the error of every commit waiting', async () => {
    const sync = new WalSync(join(directory, 'missing.sqlite-wal'));
    await expect(sync.sync()).rejects.toThrow(/ENOENT/);
    await expect(sync.sync()).rejects.toThrow(/ENOENT/);
    await sync.close();
  });

  it('lets close wait for the fsync under way', async () => {
    const path = join(directory, 'events.sqlite');
    const db = openEventLog(path, 'NORMAL');
    db.exec("INSERT INTO deleted_streams (stream_id, head_position) VALUES ('s', 0)");
    const sync = new WalSync(`${path}-wal`);
    let synced = false;
    sync.afterCommit(() => (synced = true));
    await sync.close();
    expect(synced).toBe(true);
    db.close();
  });
});

describe("the SQLite event store with synchronous=FULL and fsync 'thread-pool'", () => {
  it('acknowledges appends after their fsync, in order, and delivers them to live subscriptions', async () => {
    const store = createSqliteEventStore({ path: join(directory, 'events.sqlite'), fsync: 'thread-pool' });
    const subscription = store.subscribeToAll();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`thing-${i % 3}`, [testEvent('ThingHappened', { i })], { expectedRevision: 'any' })));
    expect(results.map((result) => result.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const seen: number[] = [];
    for await (const batch of subscription) {
      seen.push(...batch.map((event) => event.position));
      if (seen.length >= 20) break;
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await store.deleteStream('thing-0');
    await store.close();
  });
});
