import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What `startBackgroundCheckpoints` hands its worker. */
export interface CheckpointWorkerData {
  intervalMs: number;
}

export type ToCheckpointWorker = { add: number; path: string } | { remove: number } | { close: true };
/** `failed`: that database is SQLite's own to checkpoint again, for `reason`. `removed`: the worker let go of it. */
export type FromCheckpointWorker = { failed: number; reason: string } | { removed: number };

/*
 * Checkpoints the WAL of each database it is given, on its own connection, PASSIVE, every
 * `intervalMs`. SQLITE_BUSY (another connection checkpointing, such as the CLI's) waits for the next
 * turn; any other failure hands that database back.
 */
const { intervalMs } = workerData as CheckpointWorkerData;
const port = parentPort!;
const databases = new Map<number, Database.Database>();

function release(id: number): void {
  databases.get(id)?.close();
  databases.delete(id);
}

function handBack(id: number, error: unknown): void {
  release(id);
  port.postMessage({ failed: id, reason: error instanceof Error ? error.message : String(error) } satisfies FromCheckpointWorker);
}

const timer = setInterval(() => {
  for (const [id, db] of databases) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') handBack(id, error);
    }
  }
}, intervalMs);

port.on('message', (message: ToCheckpointWorker) => {
  if ('add' in message) {
    try {
      databases.set(message.add, new Database(message.path, { fileMustExist: true, timeout: 0 }));
    } catch (error) {
      handBack(message.add, error);
    }
  } else if ('remove' in message) {
    release(message.remove);
    port.postMessage({ removed: message.remove } satisfies FromCheckpointWorker);
  } else {
    clearInterval(timer);
    for (const db of databases.values()) db.close();
    port.close();
  }
});
