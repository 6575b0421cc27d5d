import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testEvent, waitFor } from '@herald/core/testing';
import type { EventStore } from '@herald/eventstore';
import type { ReadStore } from '@herald/readstore';
import type { BackgroundCheckpoints, WalCheckpoints } from '@herald/sqlite';
import { ROOT } from './support/built-herald';

/**
 * The checkpoints run on a worker thread, which loads the compiled worker, so this test drives the
 * build in dist/ (from the TypeScript sources SQLite checkpoints on the committing connection).
 */
const built = (file: string) => require(join(ROOT, 'dist/libs', file));
const { startBackgroundCheckpoints } = built('sqlite/src/index.js') as {
  startBackgroundCheckpoints: (db: Database.Database, path: string, checkpoints?: WalCheckpoints) => BackgroundCheckpoints | undefined;
};
const { createSqliteEventStore } = built('eventstore/src/sqlite/sqlite-event-store.js') as {
  createSqliteEventStore: (options: { path: string; fsync?: 'commit' | 'thread-pool'; checkpoints?: WalCheckpoints }) => EventStore;
};
const { createSqliteReadStore } = built('readstore/src/sqlite/sqlite-read-store.js') as {
  createSqliteReadStore: (options: { path: string; checkpoints?: WalCheckpoints }) => ReadStore;
};

/** The WAL's last frame and how far checkpoints have copied it, from the wal-index header in `-shm`. */
function walProgress(path: string): { lastFrame: number; backfilled: number } {
  const index = readFileSync(`${path}-shm`);
  return { lastFrame: index.readUInt32LE(16), backfilled: index.readUInt32LE(96) };
}

/** About 3,000 pages: past SQLite's own checkpoint threshold (1,000), short of the backstop (10,000). */
const BODY = 'x'.repeat(3500);
const ROWS = 3000;

/** A WAL database with one table, on the checkpoint worker. */
function openOnWorker(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  return { path, db, checkpoints: startBackgroundCheckpoints(db, path, 'worker') };
}

/** `ROWS` rows in one commit; returns the WAL as that commit left it. */
function commitRows(db: Database.Database, path: string): { lastFrame: number; backfilled: number } {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(BODY);
  })();
  return walProgress(path);
}

describe('WAL checkpoints on a worker thread, off the event loop', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-checkpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the checkpoint to the worker, which copies the WAL soon after; the next write starts the WAL over', async () => {
    const { path, db, checkpoints } = openOnWorker(join(dir, 'plain.sqlite'));
    expect(checkpoints).toBeDefined();
    // SQLite alone would have checkpointed in that commit, on this thread; the worker may only have
    // copied what was committed before it (the table).
    const committed = commitRows(db, path);
    expect(committed.lastFrame).toBeGreaterThan(ROWS);
    expect(committed.backfilled).toBeLessThan(committed.lastFrame - ROWS / 2);
    await waitFor('the worker to backfill the WAL', () => walProgress(path).backfilled === committed.lastFrame);
    db.prepare('INSERT INTO t (body) VALUES (?)').run('after');
    expect(walProgress(path).lastFrame).toBeLessThan(10);
    await checkpoints!.close();
    db.close();
    // Closing the last connection checkpointed and removed the WAL: the worker had let go first.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT count(*) FROM t').pluck().get()).toBe(ROWS + 1);
    reopened.close();
  });

  it('keeps checkpointing the other databases of the process when one is taken off the worker', async () => {
    const first = openOnWorker(join(dir, 'first.sqlite'));
    const second = openOnWorker(join(dir, 'second.sqlite'));
    await first.checkpoints!.close();
    first.db.close();
    const committed = commitRows(second.db, second.path);
    expect(committed.backfilled).toBeLessThan(committed.lastFrame - ROWS / 2);
    await waitFor('the worker to backfill the second WAL', () => walProgress(second.path).backfilled === committed.lastFrame);
    await second.checkpoints!.close();
    second.db.close();
  });

  it('keeps the process alive until the databases closed together are off the worker', () => {
    // In a process of its own: an unreferenced worker would let it end in the middle of the closes, with status 0.
    const script = `
      const Database = require('better-sqlite3');
      const { startBackgroundCheckpoints } = require(${JSON.stringify(join(ROOT, 'dist/libs/sqlite/src/index.js'))});
      const open = (name) => {
        const db = new Database(require('node:path').join(${JSON.stringify(dir)}, name));
        db.pragma('journal_mode = WAL');
        return { db, checkpoints: startBackgroundCheckpoints(db, db.name, 'worker') };
      };
      const stores = [open('a.sqlite'), open('b.sqlite')];
      Promise.all(stores.map((store) => store.checkpoints.close())).then(() => {
        for (const store of stores) store.db.close();
        process.stdout.write('closed');
        process.exitCode = 3;
      });
    `;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('closed');
    expect(child.status).toBe(3);
  });

  it('gives the checkpoints back to SQLite when the worker cannot open the database', async () => {
    const path = join(dir, 'plain.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true });
    const warnings: string[] = [];
    const { Logger, ConsoleLogger } = require(join(ROOT, 'node_modules/@nestjs/common'));
    Logger.overrideLogger({ log() {}, error() {}, warn: (message: unknown) => warnings.push(String(message)) });
    try {
      // A file that is not there: the worker fails to open it and stops.
      startBackgroundCheckpoints(db, join(dir, 'missing.sqlite'), 'worker');
      expect(autocheckpoint()).toBe(10_000);
      await waitFor("SQLite's own checkpoints to be back", () => autocheckpoint() === 1000);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
      db.close();
    }
    // The operator learns which file, and why.
    expect(warnings).toEqual([expect.stringMatching(/WAL checkpoints of .*plain\.sqlite are back in the commit .*: .*(open|exist)/i)]);
  });

  it('has nothing to run on an in-memory database', () => {
    const db = new Database(':memory:');
    expect(startBackgroundCheckpoints(db, ':memory:', 'worker')).toBeUndefined();
    db.close();
  });

  it.each(['commit', 'thread-pool'] as const)('checkpoints the event log off the loop (fsync %s)', async (fsync) => {
    const path = join(dir, 'events.sqlite');
    const store = createSqliteEventStore({ path, fsync, checkpoints: 'worker' });
    const events = Array.from({ length: ROWS }, (_, i) => testEvent('Noise', { i, body: BODY }));
    await store.append('noise-1', events, { expectedRevision: 'no_stream' });
    // The worker may have copied what was committed before (the schema), never the big commit itself.
    const committed = walProgress(path);
    expect(committed.backfilled).toBeLessThan(committed.lastFrame - ROWS / 2);
    await waitFor('the worker to backfill the WAL', () => walProgress(path).backfilled === committed.lastFrame);
    expect((await store.readStream('noise-1')).length).toBe(ROWS);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('leaves the checkpoints to the committing connection by default (the CLI), as SQLite does', async () => {
    const eventsPath = join(dir, 'events.sqlite');
    const events = createSqliteEventStore({ path: eventsPath });
    await events.append('noise-1', Array.from({ length: ROWS }, (_, i) => testEvent('Noise', { i, body: BODY })), { expectedRevision: 'no_stream' });
    const readPath = join(dir, 'readmodels.sqlite');
    const readModels = createSqliteReadStore({ path: readPath });
    await readModels.transaction(async (session) => {
      for (let i = 0; i < ROWS; i++) await session.global().collection('bodies').upsert({ id: `d${i}`, body: BODY });
    });
    for (const path of [eventsPath, readPath]) {
      const { lastFrame, backfilled } = walProgress(path);
      expect(backfilled).toBe(lastFrame);
    }
    await events.close();
    await readModels.close();
  });

  it('checkpoints the read models off the loop', async () => {
    const path = join(dir, 'readmodels.sqlite');
    const store = createSqliteReadStore({ path, checkpoints: 'worker' });
    await store.transaction(async (session) => {
      const docs = session.global().collection('bodies');
      for (let i = 0; i < ROWS; i++) await docs.upsert({ id: `d${i}`, body: BODY });
    });
    // The worker may have copied what was committed before (the schema), never the big commit itself.
    const committed = walProgress(path);
    expect(committed.backfilled).toBeLessThan(committed.lastFrame - ROWS / 2);
    await waitFor('the worker to backfill the WAL', () => walProgress(path).backfilled === committed.lastFrame);
    expect(await store.global().collection('bodies').count()).toBe(ROWS);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
