import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type Database from 'better-sqlite3';
import type { CheckpointWorkerData, FromCheckpointWorker, ToCheckpointWorker } from './checkpoint-worker';

/** The compiled worker; running from TypeScript sources (tests) there is none, and SQLite checkpoints as it always does. */
const WORKER_FILE = join(__dirname, 'checkpoint-worker.js');
const INTERVAL_MS = 500;
/**
 * SQLite checkpoints on the committing connection once the WAL passes `wal_autocheckpoint` pages.
 * With the worker running that is only a backstop (40 MB of WAL) for when it falls behind.
 */
const BACKSTOP_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1000;

/**
 * Who checkpoints a database's WAL: the connection that commits, as SQLite does by default
 * (`in-commit`: a batch job such as the CLI, for which a stall of the event loop costs nothing), or
 * the process's checkpoint worker (`worker`: a server, whose event loop must keep answering).
 */
export type WalCheckpoints = 'in-commit' | 'worker';

export interface BackgroundCheckpoints {
  /** Takes the database off the worker; call before closing the connection, so that closing it checkpoints the rest. */
  close(): Promise<void>;
}

/**
 * With `worker`, moves a database's WAL checkpoints off the event loop. A checkpoint copies the WAL's pages into
 * the database and fsyncs both files (with `synchronous=NORMAL` or `FULL`): on the connection that
 * commits, that held the server's event loop 0.2-33 ms a few times a second under steady writes
 * (bench g). One worker per process, with its own connection to each database, runs a PASSIVE
 * checkpoint of each every half second instead: it waits for no reader or writer, and it syncs
 * nothing when a WAL has nothing new. Returns undefined with `in-commit` (the default), and where there is no
 * worker to run (`:memory:`, TypeScript sources): SQLite checkpoints as it always does.
 */
export function startBackgroundCheckpoints(
  db: Database.Database,
  path: string,
  checkpoints: WalCheckpoints = 'in-commit',
): BackgroundCheckpoints | undefined {
  if (checkpoints === 'in-commit' || path === ':memory:' || path === '' || !existsSync(WORKER_FILE)) return undefined;
  const id = checkpointWorker.add(db, path);
  return { close: () => checkpointWorker.remove(id) };
}

/** The process's one checkpoint worker, started with the first database and stopped after the last. */
class CheckpointWorker {
  private worker: Worker | undefined;
  private readonly databases = new Map<number, Database.Database>();
  private readonly removals = new Map<number, () => void>();
  private readonly logger = new Logger('WalCheckpoints');
  private nextId = 1;

  add(db: Database.Database, path: string): number {
    const id = this.nextId++;
    this.databases.set(id, db);
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    this.post({ add: id, path });
    return id;
  }

  async remove(id: number): Promise<void> {
    if (!this.databases.delete(id) || !this.worker) return;
    const worker = this.worker;
    // Unreferenced, the worker would not keep the process alive until it answers: whatever awaits this would never go on.
    worker.ref();
    await new Promise<void>((resolve) => {
      this.removals.set(id, resolve);
      this.post({ remove: id });
    });
    // Whoever takes the last answer decides: let the worker idle unreferenced, or stop it after the last database.
    if (this.worker !== worker || this.removals.size > 0) return;
    if (this.databases.size > 0) {
      worker.unref();
      return;
    }
    this.worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ close: true } satisfies ToCheckpointWorker);
    await exited;
  }

  private post(message: ToCheckpointWorker): void {
    this.worker ??= this.start();
    this.worker.postMessage(message);
  }

  private start(): Worker {
    const workerData: CheckpointWorkerData = { intervalMs: INTERVAL_MS };
    const worker = new Worker(WORKER_FILE, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 } });
    worker.on('message', (message: FromCheckpointWorker) => {
      if ('failed' in message) this.handBack(message.failed, message.reason);
      else this.settle(message.removed);
    });
    // Its failures end it (below); they are not the process's.
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.once('exit', (code) => {
      if (this.worker !== worker) return;
      // A worker that died leaves the checkpoints to SQLite again, before a WAL grows to the backstop.
      this.worker = undefined;
      const reason = failure ? `the checkpoint worker failed: ${failure.message}` : `the checkpoint worker stopped with exit code ${code}`;
      for (const id of this.databases.keys()) this.handBack(id, reason);
      for (const id of [...this.removals.keys()]) this.settle(id);
    });
    worker.unref();
    return worker;
  }

  private handBack(id: number, reason: string): void {
    const db = this.databases.get(id);
    if (!db?.open) return;
    db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    this.logger.warn(`WAL checkpoints of ${db.name} are back in the commit (every ${SQLITE_DEFAULT_PAGES} pages): ${reason}`);
  }

  private settle(id: number): void {
    const resolve = this.removals.get(id);
    this.removals.delete(id);
    resolve?.();
  }
}

const checkpointWorker = new CheckpointWorker();
