import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What `startBackgroundCheckpoints` hands its worker. */
export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

/*
 * Checkpoints the WAL of one database on its own connection, PASSIVE, every `intervalMs`, until told
 * to close. SQLITE_BUSY (another connection checkpointing, such as the CLI's) waits for the next turn.
 */
const { path, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(path, { fileMustExist: true, timeout: 0 });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  }
};
const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
