import type { RecordedEvent } from '@herald/core';
import { startBackgroundCheckpoints, type WalCheckpoints } from '@herald/sqlite';
import { assertPlace, assertPositiveCount, assertValidAppend } from '../append-input';
import { normalizeFilter, type NormalizedFilter } from '../event-filter';
import type { EventStore, EventSubscription } from '../event-store.port';
import { createAppendToStream } from './append-to-stream';
import { createDeleteStream } from './delete-stream';
import { GroupCommit, type GroupCommitLimits } from './group-commit';
import { createReadRange } from './read-all';
import { createReadStream } from './read-stream';
import { RecentEvents, servableFromMemory, type RecentEventsLimits } from './recent-events';
import { openEventLog, type SqliteSynchronous } from './schema';
import { runTranslated } from './sqlite-errors';
import { AppendSignal, SqliteSubscription } from './subscribe-to-all';
import { scanAll } from './scan-all';
import { WalSync } from './wal-sync';

export interface SqliteEventStoreOptions {
  /** The database file, created with its directory when missing; `:memory:` for a throw-away log. */
  path: string;
  /** `FULL` (default) makes every acknowledged append survive a power loss; `NORMAL` only a crash of the process. */
  synchronous?: SqliteSynchronous;
  /**
   * With `FULL`, where the WAL's fsync runs: in each commit (default: the lowest latency for a lone
   * writer), or after it on libuv's thread pool (`WalSync`: the event loop goes on meanwhile, which
   * a busy server needs, for ~0.1 ms more per lone append). Either way an append is acknowledged only
   * once it is on disk.
   */
  fsync?: 'commit' | 'thread-pool';
  /** Who checkpoints the WAL (default `in-commit`, as SQLite does). */
  checkpoints?: WalCheckpoints;
  /** How often a waiting subscription looks for appends made by other processes (default 250 ms). */
  pollIntervalMs?: number;
  /** `scanAll` over at least this many positions reads ahead on a worker thread (default 50,000). */
  readAheadFrom?: number;
  /** How many of its newest appended events this process keeps for its live subscriptions. */
  recentEvents?: RecentEventsLimits;
  /** How many appends (and events) one group commit takes at most. */
  groupCommit?: GroupCommitLimits;
}

const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_READ_ALL_PAGE = 1_000;
const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_READ_AHEAD_FROM = 50_000;

/**
 * The embedded event store: one SQLite file in WAL mode that several Herald processes may share.
 * Every operation runs synchronously on this process's connection, except appends: those requested
 * in one turn of the event loop commit together in the next (`GroupCommit`), one fsync for all.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  assertPositiveCount('pollIntervalMs', pollIntervalMs);
  const synchronous = options.synchronous ?? 'FULL';
  const fsyncOffLoop = synchronous === 'FULL' && options.fsync === 'thread-pool' && options.path !== ':memory:';
  // With a WalSync the connection itself need not sync each commit: the WalSync does, off the loop.
  const db = openEventLog(options.path, fsyncOffLoop ? 'NORMAL' : synchronous);
  const walSync = fsyncOffLoop ? new WalSync(`${options.path}-wal`) : undefined;
  const checkpoints = startBackgroundCheckpoints(db, options.path, options.checkpoints);
  const readStream = createReadStream(db);
  const readRange = createReadRange(db);
  const deleteStream = createDeleteStream(db);
  const selectHead = db.prepare('SELECT max(position) FROM events').pluck();
  const selectOne = db.prepare('SELECT 1').pluck();
  const selectDataVersion = db.prepare('PRAGMA data_version').pluck();
  const headPosition = () => selectHead.get() as number | null;
  const recentEvents = new RecentEvents(options.recentEvents);
  const readRecent = (afterPosition: number, maxCount: number, filter: NormalizedFilter | undefined) =>
    runTranslated(() => recentEvents.readAfter(afterPosition, maxCount, filter, () => selectDataVersion.get() as number));
  const signal = new AppendSignal();
  const subscriptions = new Set<SqliteSubscription>();
  let closed = false;
  const groupCommit = new GroupCommit(
    db,
    createAppendToStream(db),
    (outcomes) => {
      let wrote = false;
      for (const { written } of outcomes) {
        if (!written) continue;
        wrote = true;
        // Kept for the live subscriptions only: with none, keeping rows would slow appends for nothing.
        if (subscriptions.size > 0) recentEvents.recordAppend(written);
        else recentEvents.drop();
      }
      if (wrote) signal.notify();
    },
    options.groupCommit,
    walSync,
  );
  /** Live subscriptions read no further than what is on disk: no one is told of an event a power loss could take back. */
  const syncedHead = () => {
    const head = headPosition();
    const unsyncedFrom = groupCommit.unsyncedFrom();
    return head === null || unsyncedFrom === null ? head : Math.min(head, unsyncedFrom - 1);
  };

  return {
    async append(streamId, events, { expectedRevision }) {
      assertValidAppend(streamId, events, expectedRevision);
      return (await groupCommit.append(streamId, events, expectedRevision)).result;
    },

    async readStream(streamId, readOptions = {}) {
      assertPlace('fromRevision', readOptions.fromRevision);
      assertPositiveCount('maxCount', readOptions.maxCount);
      return runTranslated(() => readStream(streamId, readOptions));
    },

    async readAll({ fromPosition, direction = 'forwards', maxCount = DEFAULT_READ_ALL_PAGE, filter } = {}) {
      assertPlace('fromPosition', fromPosition);
      assertPositiveCount('maxCount', maxCount);
      return runTranslated((): RecordedEvent[] => {
        const normalized = normalizeFilter(filter);
        // Filtered reads walk windows of positions, so they are bounded by the head.
        const head = headPosition();
        if (head === null) return [];
        if (direction === 'backwards') {
          return readRange(0, Math.min(fromPosition ?? head, head), 'backwards', maxCount, normalized);
        }
        return readRange(fromPosition ?? 0, head, 'forwards', maxCount, normalized);
      });
    },

    scanAll({ afterPosition, filter, pageSize = DEFAULT_READ_ALL_PAGE } = {}) {
      assertPlace('afterPosition', afterPosition);
      assertPositiveCount('pageSize', pageSize);
      return scanAll(
        { path: options.path, readRange: (...args) => runTranslated(() => readRange(...args)), headPosition: () => runTranslated(headPosition) },
        {
          afterPosition: afterPosition ?? 0,
          filter: normalizeFilter(filter),
          pageSize,
          readAheadFrom: options.readAheadFrom ?? DEFAULT_READ_AHEAD_FROM,
        },
      );
    },

    subscribeToAll({ afterPosition, filter, maxBatchSize = DEFAULT_BATCH_SIZE } = {}): EventSubscription {
      assertPlace('afterPosition', afterPosition);
      assertPositiveCount('maxBatchSize', maxBatchSize);
      if (closed) throw new Error('subscribeToAll on a closed event store');
      const normalized = normalizeFilter(filter);
      const subscription = new SqliteSubscription(
        {
          readRange: (...args) => runTranslated(() => readRange(...args)),
          headPosition: () => runTranslated(syncedHead),
          readRecent: servableFromMemory(normalized) ? readRecent : undefined,
          signal,
          pollIntervalMs,
        },
        afterPosition ?? 0,
        normalized,
        maxBatchSize,
        (closedSubscription) => subscriptions.delete(closedSubscription),
      );
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      return runTranslated(headPosition);
    },

    async deleteStream(streamId) {
      // Appends requested before the delete come before it.
      groupCommit.flush();
      // The delete removes rows that may be kept among the recent events.
      recentEvents.drop();
      runTranslated(() => deleteStream(streamId));
      await walSync?.sync();
    },

    async ping() {
      runTranslated(() => selectOne.get());
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      // Appends requested before the close still commit (or reject) before the connection goes.
      groupCommit.flush();
      await walSync?.close();
      await checkpoints?.close();
      recentEvents.drop();
      try {
        // Refreshes the planner's statistics; never worth waiting for another process's lock.
        db.pragma('busy_timeout = 0');
        db.pragma('optimize');
      } catch {
        // the statistics can wait for the next close
      }
      db.close();
    },
  };
}
