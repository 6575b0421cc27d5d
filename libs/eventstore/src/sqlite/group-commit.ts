import type Database from 'better-sqlite3';
import type { NewEvent } from '@herald/core';
import type { ExpectedRevision } from '../event-store.port';
import type { AppendOutcome, AppendToStream } from './append-to-stream';
import { translateSqliteError } from './sqlite-errors';

export interface GroupCommitLimits {
  /** Most appends one transaction takes (default 256). */
  maxAppends?: number;
  /** Most events one transaction takes, unless its first append alone has more (default 4,096). */
  maxEvents?: number;
}

/** What makes a commit durable after the fact (`WalSync`): `done` runs once it is on disk, or with why not. */
export interface CommitSync {
  afterCommit(done: (error?: Error) => void): void;
}

/** Called once per committed group with what each of its appends wrote, in queue order. */
export type OnGroupCommitted = (outcomes: readonly AppendOutcome[]) => void;

interface QueuedAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

type Settled = { outcome: AppendOutcome } | { error: unknown };

const DEFAULT_MAX_APPENDS = 256;
const DEFAULT_MAX_EVENTS = 4_096;

/**
 * Group commit: the appends requested during one turn of the event loop run in ONE write
 * transaction, so they share one WAL fsync instead of paying one each. Each append runs in its own
 * savepoint, so one that fails (a conflict, a deleted stream) rolls back and rejects alone; appends
 * to the same stream run in the order they were requested. Every promise settles only after the
 * commit: no one learns of a success that is not on disk. With a `CommitSync`, "after the commit"
 * is after the fsync that covers it, which runs off the event loop while the next groups commit.
 * A failed BEGIN or COMMIT rejects the whole group. A group is capped so that one flush never
 * holds the event loop long; the rest waits for the next turn.
 */
export class GroupCommit {
  private readonly maxAppends: number;
  private readonly maxEvents: number;
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private readonly runGroup: (group: readonly QueuedAppend[]) => Settled[];
  /** The first position written by each group committed and not yet on disk, oldest first. */
  private readonly unsynced: number[] = [];

  constructor(
    db: Database.Database,
    private readonly appendToStream: AppendToStream,
    private readonly onCommitted: OnGroupCommitted,
    limits: GroupCommitLimits = {},
    private readonly commitSync?: CommitSync,
  ) {
    this.maxAppends = limits.maxAppends ?? DEFAULT_MAX_APPENDS;
    this.maxEvents = limits.maxEvents ?? DEFAULT_MAX_EVENTS;
    const inTransaction = db.transaction((group: readonly QueuedAppend[]): Settled[] =>
      group.map(({ streamId, events, expected }) => {
        try {
          return { outcome: appendToStream(streamId, events, expected) };
        } catch (error) {
          // Some failures (I/O, a full disk) make SQLite roll back the whole transaction: the
          // appends before this one are gone too, and the next ones must not run outside it.
          if (!db.inTransaction) throw error;
          return { error: translateSqliteError(error) };
        }
      }),
    );
    this.runGroup = inTransaction.immediate;
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** The lowest position committed but not yet on disk, or `null`: readers that tell others stop before it. */
  unsyncedFrom(): number | null {
    return this.unsynced.length > 0 ? this.unsynced[0] : null;
  }

  /** Commits every queued append now (before a delete or a close, which must come after them). */
  flush(): void {
    while (this.queue.length > 0) this.commitNextGroup();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.queue.length > 0) this.commitNextGroup();
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private commitNextGroup(): void {
    const group = this.takeGroup();
    let settled: Settled[];
    try {
      settled = group.length === 1 ? [this.runAlone(group[0])] : this.runGroup(group);
    } catch (error) {
      const translated = translateSqliteError(error);
      for (const append of group) append.reject(translated);
      return;
    }
    const outcomes = settled.flatMap((result) => ('outcome' in result ? [result.outcome] : []));
    if (!this.commitSync) return this.settle(group, settled, outcomes);
    const firstWritten = outcomes.find((outcome) => outcome.written)?.written?.rows[0]?.[0];
    if (firstWritten !== undefined) this.unsynced.push(firstWritten);
    this.commitSync.afterCommit((error) => {
      if (firstWritten !== undefined) this.unsynced.splice(this.unsynced.indexOf(firstWritten), 1);
      // The rows are in the log either way; an append whose sync failed is reported failed, and
      // retrying it is safe: the same event ids at the same place are not written twice.
      const told = error ? settled.map((result) => ('outcome' in result ? { error: new EventLogNotSynced(error) } : result)) : settled;
      this.settle(group, told, outcomes);
    });
  }

  private settle(group: readonly QueuedAppend[], settled: readonly Settled[], outcomes: readonly AppendOutcome[]): void {
    try {
      this.onCommitted(outcomes);
    } finally {
      settled.forEach((result, index) => {
        if ('outcome' in result) group[index].resolve(result.outcome);
        else group[index].reject(result.error);
      });
    }
  }

  /** A lone append needs no savepoint: its failure rolls back its own transaction. */
  private runAlone({ streamId, events, expected }: QueuedAppend): Settled {
    try {
      return { outcome: this.appendToStream.immediate(streamId, events, expected) };
    } catch (error) {
      return { error: translateSqliteError(error) };
    }
  }

  private takeGroup(): QueuedAppend[] {
    let count = 1;
    let events = this.queue[0].events.length;
    while (
      count < this.queue.length &&
      count < this.maxAppends &&
      events + this.queue[count].events.length <= this.maxEvents
    ) {
      events += this.queue[count].events.length;
      count++;
    }
    return this.queue.splice(0, count);
  }
}

/** The commit went through but the fsync after it failed: whether the events survive a power loss is unknown. */
export class EventLogNotSynced extends Error {
  constructor(cause: Error) {
    super(`the event log could not be synced to disk: ${cause.message}`, { cause });
    this.name = 'EventLogNotSynced';
  }
}
