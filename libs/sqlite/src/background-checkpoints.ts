import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointWorkerData } from './checkpoint-worker';

/** The compiled worker; running from TypeScript sources (tests) there is none, and SQLite checkpoints as it always does. */
const WORKER_FILE = join(__dirname, 'checkpoint-worker.js');
const INTERVAL_MS = 500;
/**
 * SQLite checkpoints on the committing connection once the WAL passes `wal_autocheckpoint` pages.
 * With the worker running that is only a backstop (40 MB of WAL) for when it falls behind.
 */
const BACKSTOP_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1000;

export interface BackgroundCheckpoints {
  /** Stops the worker; call before closing the connection, so that closing it checkpoints the rest. */
  close(): Promise<void>;
}

/**
 * Moves a database's WAL checkpoints off the event loop. A checkpoint copies the WAL's pages into
 * the database and fsyncs both files (with `synchronous=NORMAL` or `FULL`): on the connection that
 * commits, that held the server's event loop 0.2-33 ms a few times a second under steady writes
 * (bench g). A worker with its own connection runs a PASSIVE checkpoint every half second instead:
 * it waits for no reader or writer, and it syncs nothing when the WAL has nothing new. Returns
 * undefined where there is no worker to run (`:memory:`, TypeScript sources).
 */
export function startBackgroundCheckpoints(db: Database.Database, path: string): BackgroundCheckpoints | undefined {
  if (path === ':memory:' || path === '' || !existsSync(WORKER_FILE)) return undefined;
  const workerData: CheckpointWorkerData = { path, intervalMs: INTERVAL_MS };
  const worker = new Worker(WORKER_FILE, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 } });
  let closing = false;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      // A worker that died leaves the checkpoints to SQLite again, before the WAL grows to the backstop.
      if (!closing && db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      resolve();
    });
  });
  // Its failures end it (above); they are not the process's.
  worker.on('error', () => undefined);
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    async close() {
      closing = true;
      // Unreferenced, the worker would not keep the process alive until it has exited: whatever
      // awaits this close would never go on.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
