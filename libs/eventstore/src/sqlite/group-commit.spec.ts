import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import type { ExpectedRevision } from '../event-store.port';
import { EventStoreUnavailable, WrongExpectedRevision } from '../errors';
import { createAppendToStream, type AppendOutcome } from './append-to-stream';
import { type CommitSync, EventLogNotSynced, GroupCommit, type GroupCommitLimits } from './group-commit';
import { openEventLog } from './schema';
import { createSqliteEventStore } from './sqlite-event-store';

const directories: string[] = [];
const connections: Database.Database[] = [];

function temporaryLogPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'herald-group-commit-'));
  directories.push(directory);
  return join(directory, 'events.sqlite');
}

afterEach(() => {
  for (const connection of connections.splice(0)) connection.close();
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/**
 * A group commit on a real log file, with a second connection that counts the committed events:
 * each append records how many it could see while it ran, and every commit is counted.
 */
function openGroupCommit(limits?: GroupCommitLimits, commitSync?: CommitSync) {
  const path = temporaryLogPath();
  const db = openEventLog(path, 'FULL');
  const observer = new Database(path, { readonly: true });
  connections.push(db, observer);
  const countCommitted = () => observer.prepare('SELECT count(*) FROM events').pluck().get() as number;
  const append = createAppendToStream(db);
  const committedWhileAppending: number[] = [];
  const groups: number[] = [];
  const groupCommit = new GroupCommit(
    db,
    db.transaction((streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => {
      committedWhileAppending.push(countCommitted());
      return append(streamId, events, expected);
    }),
    (outcomes: readonly AppendOutcome[]) => groups.push(outcomes.length),
    limits,
    commitSync,
  );
  return { db, path, groupCommit, countCommitted, committedWhileAppending, groups };
}

const oneEvent = () => [testEvent('ThingHappened', { value: 1 })];

describe('GroupCommit', () => {
  it('commits the appends requested in one turn in one transaction, and settles them only after the commit', async () => {
    const { groupCommit, countCommitted, committedWhileAppending, groups } = openGroupCommit();

    const pending = ['a', 'b', 'c'].map((stream) => groupCommit.append(stream, oneEvent(), 'no_stream'));
    expect(countCommitted()).toBe(0);
    const outcomes = await Promise.all(pending);

    // None of the three could see another's event committed: they ran in one transaction.
    expect(committedWhileAppending).toEqual([0, 0, 0]);
    expect(groups).toEqual([3]);
    expect(countCommitted()).toBe(3);
    expect(outcomes.map((outcome) => outcome.result.position)).toEqual([1, 2, 3]);
  });

  it('rolls back and rejects a failing append alone, while the others of its group commit', async () => {
    const { groupCommit, countCommitted, groups } = openGroupCommit();

    const settled = await Promise.allSettled([
      groupCommit.append('a', oneEvent(), 'no_stream'),
      groupCommit.append('b', oneEvent(), 4),
      groupCommit.append('c', [...oneEvent(), ...oneEvent()], 'no_stream'),
    ]);

    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
    expect(groups).toEqual([2]);
    expect(countCommitted()).toBe(3);
  });

  it('runs appends to the same stream in the order they were requested', async () => {
    const { groupCommit, groups } = openGroupCommit();

    const settled = await Promise.allSettled([
      groupCommit.append('a', oneEvent(), 'no_stream'),
      groupCommit.append('a', oneEvent(), 0),
      groupCommit.append('a', oneEvent(), 0),
      groupCommit.append('a', oneEvent(), 1),
    ]);

    const revisions = settled.map((result) =>
      result.status === 'fulfilled' ? result.value.result.nextExpectedRevision : 'conflict',
    );
    expect(revisions).toEqual([0, 1, 'conflict', 2]);
    expect(groups).toEqual([3]);
  });

  it('caps a group by appends and by events, leaving the rest for the following turns', async () => {
    const byAppends = openGroupCommit({ maxAppends: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((stream) => byAppends.groupCommit.append(stream, oneEvent(), 'no_stream')));
    expect(byAppends.groups).toEqual([2, 2, 1]);
    expect(byAppends.committedWhileAppending).toEqual([0, 0, 2, 2, 4]);

    const byEvents = openGroupCommit({ maxEvents: 3 });
    const twoEvents = () => [...oneEvent(), ...oneEvent()];
    const fiveEvents = () => [...twoEvents(), ...twoEvents(), ...oneEvent()];
    await Promise.all([
      byEvents.groupCommit.append('a', twoEvents(), 'no_stream'),
      byEvents.groupCommit.append('b', oneEvent(), 'no_stream'),
      byEvents.groupCommit.append('c', twoEvents(), 'no_stream'),
      // Larger than the cap alone: it still commits, as a group of its own.
      byEvents.groupCommit.append('d', fiveEvents(), 'no_stream'),
    ]);
    expect(byEvents.groups).toEqual([2, 1, 1]);
    expect(byEvents.countCommitted()).toBe(10);
  });

  it('rejects the whole group as unavailable when the transaction cannot take the write lock, and commits the next', async () => {
    const { db, path, groupCommit, countCommitted } = openGroupCommit();
    db.pragma('busy_timeout = 0');
    const otherProcess = new Database(path);
    connections.push(otherProcess);
    otherProcess.prepare('BEGIN IMMEDIATE').run();

    const settled = await Promise.allSettled([
      groupCommit.append('a', oneEvent(), 'no_stream'),
      groupCommit.append('b', oneEvent(), 'no_stream'),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    for (const result of settled) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(EventStoreUnavailable);
    }

    otherProcess.prepare('ROLLBACK').run();
    await groupCommit.append('a', oneEvent(), 'no_stream');
    expect(countCommitted()).toBe(1);
  });
});

describe('SQLite event store with group commit', () => {
  it('commits appends requested before a delete ahead of it, and before a close', async () => {
    const path = temporaryLogPath();
    const store = createSqliteEventStore({ path });

    const appended = store.append('a', oneEvent(), { expectedRevision: 'no_stream' });
    const deleted = store.deleteStream('a');
    await expect(appended).resolves.toEqual({ nextExpectedRevision: 0, position: 1 });
    await deleted;
    await expect(store.readStream('a')).resolves.toEqual([]);

    const beforeClose = store.append('b', oneEvent(), { expectedRevision: 'no_stream' });
    await store.close();
    await expect(beforeClose).resolves.toEqual({ nextExpectedRevision: 0, position: 2 });
    const observer = new Database(path, { readonly: true });
    connections.push(observer);
    expect(observer.prepare("SELECT count(*) FROM events WHERE stream_id = 'b'").pluck().get()).toBe(1);
  });

  describe('with a commit sync (the fsync after the commit)', () => {
    /** A sync held until the test lets it finish, as an fsync on the thread pool is. */
    function heldSync() {
      const pending: Array<(error?: Error) => void> = [];
      return {
        sync: { afterCommit: (done: (error?: Error) => void) => void pending.push(done) } satisfies CommitSync,
        finish: (error?: Error) => pending.splice(0).forEach((done) => done(error)),
        get pending() {
          return pending.length;
        },
      };
    }

    it('settles and reports an append only when the sync after its commit is done, and names what is not synced', async () => {
      const held = heldSync();
      const { groupCommit, countCommitted, groups } = openGroupCommit(undefined, held.sync);
      let settled = false;
      const appended = groupCommit.append('thing-1', oneEvent(), 'no_stream').then((outcome) => ((settled = true), outcome));
      await new Promise(setImmediate);

      expect(countCommitted()).toBe(1);
      expect(held.pending).toBe(1);
      expect(settled).toBe(false);
      expect(groups).toEqual([]);
      expect(groupCommit.unsyncedFrom()).toBe(1);

      const next = groupCommit.append('thing-2', oneEvent(), 'no_stream');
      await new Promise(setImmediate);
      expect(groupCommit.unsyncedFrom()).toBe(1);
      held.finish();
      expect((await appended).result).toEqual({ nextExpectedRevision: 0, position: 1 });
      expect(groups).toEqual([1, 1]);
      await expect(next).resolves.toMatchObject({ result: { position: 2 } });
      expect(groupCommit.unsyncedFrom()).toBeNull();
    });

    it('rejects the appends of a failed sync as not synced, keeps a conflict its own error, and leaves the rows in the log', async () => {
      const held = heldSync();
      const { groupCommit, countCommitted } = openGroupCommit(undefined, held.sync);
      const appended = groupCommit.append('thing-1', oneEvent(), 'no_stream');
      const conflicting = groupCommit.append('thing-1', oneEvent(), 'no_stream');
      await new Promise(setImmediate);
      held.finish(new Error('EIO: i/o error, fsync'));

      await expect(appended).rejects.toThrow(EventLogNotSynced);
      await expect(appended).rejects.toThrow('the event log could not be synced to disk: EIO: i/o error, fsync');
      await expect(conflicting).rejects.toThrow(WrongExpectedRevision);
      expect(countCommitted()).toBe(1);
      expect(groupCommit.unsyncedFrom()).toBeNull();
    });
  });
});

