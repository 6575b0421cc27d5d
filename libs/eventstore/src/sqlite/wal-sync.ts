import { closeSync, fdatasync, openSync } from 'node:fs';
import type { CommitSync } from './group-commit';

/**
 * Durable commits that do not hold the event loop (`fsync: 'thread-pool'`). The log's connection
 * runs with `synchronous=NORMAL`, so a commit writes the WAL without waiting for the disk, and each
 * commit then waits here for an fsync of the WAL file that started after it, on libuv's thread pool.
 * Until then no one is told of it: that is what `synchronous=FULL` promises, without blocking the
 * thread for the 0.1-1 ms an fsync takes on each commit (up to a quarter of the loop at 500
 * appends/s, bench g). The hop to the pool costs a lone writer ~0.1 ms per append (bench a).
 *
 * One fsync covers every commit made before it started (the WAL is one file, written in order), so
 * the commits that arrive while one runs share the next. Checkpoints keep SQLite's own syncs:
 * `NORMAL` syncs the WAL before copying it into the database and the database after.
 */
export class WalSync implements CommitSync {
  private fd: number | null = null;
  private waiting: Array<(error?: Error) => void> = [];
  private syncing = false;
  private idle: Array<() => void> = [];

  constructor(private readonly walPath: string) {}

  /** Calls `done` once everything committed so far is on disk, or with the error that stopped the fsync. */
  afterCommit(done: (error?: Error) => void): void {
    this.waiting.push(done);
    if (!this.syncing) this.syncRound();
  }

  /** Resolves once everything committed so far is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => this.afterCommit((error) => (error ? reject(error) : resolve())));
  }

  /** Waits for the fsyncs under way, then lets the file go. */
  async close(): Promise<void> {
    if (this.syncing) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private syncRound(): void {
    const round = this.waiting;
    this.waiting = [];
    this.syncing = true;
    let fd: number;
    try {
      // The WAL exists once something was committed; a commit always comes before its sync.
      fd = this.fd ??= openSync(this.walPath, 'r+');
    } catch (error) {
      process.nextTick(() => this.finish(round, error as Error));
      return;
    }
    fdatasync(fd, (error) => this.finish(round, error ?? undefined));
  }

  private finish(round: Array<(error?: Error) => void>, error: Error | undefined): void {
    this.syncing = false;
    for (const done of round) done(error);
    if (this.waiting.length > 0) this.syncRound();
    else for (const resolve of this.idle.splice(0)) resolve();
  }
}
