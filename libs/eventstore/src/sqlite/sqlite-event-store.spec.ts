import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent } from '@herald/core';
import { describeEventStoreContract } from '../testing/event-store.contract';
import type { EventStore } from '../event-store.port';
import { createSqliteEventStore } from './sqlite-event-store';
import { prefixUpperBound } from './read-all';
import { testEvent } from '@herald/core/testing';

const directories: string[] = [];

function temporaryLogPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'herald-eventstore-'));
  directories.push(directory);
  return join(directory, 'events.sqlite');
}

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

// The same contract with the fsync in each commit and off the event loop (what the server runs).
for (const fsync of ['commit', 'thread-pool'] as const) {
  describeEventStoreContract(
    `SQLite, fsync in ${fsync === 'commit' ? 'the commit' : 'the thread pool'}`,
    async () => createSqliteEventStore({ path: temporaryLogPath(), pollIntervalMs: 20, fsync }),
    {
      isolatedLog: true,
      deleteRemovesFromGlobalLog: true,
      liveTimeoutMs: 2_000,
    },
  );
}

function newEvent(type = 'ThingHappened'): NewEvent {
  return testEvent(type, { value: randomUUID() });
}

describe('SQLite event store on a shared file', () => {
  const opened: EventStore[] = [];
  const open = (path: string, pollIntervalMs = 20) => {
    const store = createSqliteEventStore({ path, pollIntervalMs });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('a subscription sees events appended through another connection to the same file, by polling', async () => {
    const path = temporaryLogPath();
    const reader = open(path);
    const writer = open(path);
    const subscription = reader.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();

    const pending = iterator.next();
    const event = newEvent();
    await writer.append('guild-1', [event], { expectedRevision: 'no_stream' });
    const delivered = await pending;

    expect(delivered.done ? [] : delivered.value.map((recorded) => recorded.id)).toEqual([event.id]);
    await subscription.close();
  });

  it('a conflict between two connections is detected, whichever appended first', async () => {
    const path = temporaryLogPath();
    const first = open(path);
    const second = open(path);
    await first.append('guild-1', [newEvent()], { expectedRevision: 'no_stream' });

    await second.append('guild-1', [newEvent()], { expectedRevision: 0 });

    await expect(first.append('guild-1', [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({ actual: 1 });
  });

  it('keeps every event, revision and the stream tombstones across close and reopen', async () => {
    const path = temporaryLogPath();
    const before = open(path);
    const events = [newEvent(), newEvent()];
    await before.append('guild-1', events, { expectedRevision: 'no_stream' });
    const deleted = await before.append('guild-2', [newEvent()], { expectedRevision: 'no_stream' });
    await before.deleteStream('guild-2');
    await before.close();

    const after = open(path);

    expect((await after.readStream('guild-1')).map((event) => event.id)).toEqual(events.map((event) => event.id));
    // guild-2 held the head: its position stays taken after the reopen.
    expect(await after.headPosition()).toBe(2);
    expect((await after.append('guild-1', [newEvent()], { expectedRevision: 1 })).position).toBe(deleted.position + 1);
    await expect(after.append('guild-2', [newEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({
      name: 'StreamDeleted',
    });
  });

  it('closing the store ends its open subscriptions', async () => {
    const store = open(temporaryLogPath());
    const pending = store.subscribeToAll()[Symbol.asyncIterator]().next();

    await store.close();

    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it('calls on a closed store fail as unavailable', async () => {
    const store = open(temporaryLogPath());
    await store.close();

    await expect(store.ping()).rejects.toMatchObject({ name: 'EventStoreUnavailable' });
  });
});

describe('SQLite event log of schema version 1 (AUTOINCREMENT positions, revisions in `streams`)', () => {
  /** A version-1 file as Herald wrote it: two streams, the second deleted while it held the head. */
  function writeVersion1Log(path: string): void {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(`
      CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
        event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL);
      CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);
      CREATE INDEX events_by_type ON events (type, position);
      CREATE TABLE streams (stream_id TEXT PRIMARY KEY, revision INTEGER, deleted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES
        ('guild-1', 0, 'e1', 'ThingHappened', '{"n":1}', '{}'), ('guild-1', 1, 'e2', 'ThingHappened', '{"n":2}', '{}'),
        ('guild-2', 0, 'e3', 'ThingHappened', '{"n":3}', '{}'), ('guild-2', 1, 'e4', 'ThingHappened', '{"n":4}', '{}');
      INSERT INTO streams VALUES ('guild-1', 1, 0), ('guild-2', NULL, 1);
      DELETE FROM events WHERE stream_id = 'guild-2';
      PRAGMA user_version = 1;
    `);
    db.close();
  }

  it('opens as version 2: events, revisions and tombstones kept, no position handed out twice', async () => {
    const path = temporaryLogPath();
    writeVersion1Log(path);
    const store = createSqliteEventStore({ path });
    try {
      expect((await store.readStream('guild-1')).map((event) => [event.id, event.revision, event.position])).toEqual([
        ['e1', 0, 1],
        ['e2', 1, 2],
      ]);
      await expect(store.append('guild-1', [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({ actual: 1 });
      await expect(store.append('guild-2', [newEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({
        name: 'StreamDeleted',
      });
      // Positions 3 and 4 belonged to guild-2's deleted events.
      expect(await store.append('guild-1', [newEvent()], { expectedRevision: 1 })).toEqual({ nextExpectedRevision: 2, position: 5 });
      expect(await store.append('guild-3', [newEvent()], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 0, position: 6 });
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    expect(tables).toEqual(expect.arrayContaining(['deleted_streams', 'events']));
    expect(tables).not.toContain('streams');
  });
});

describe('SQLite event store, filtered reads over a long log', () => {
  let store: EventStore;
  const rare: string[] = [];
  const guild: { id: string; type: string }[] = [];

  beforeAll(async () => {
    store = createSqliteEventStore({ path: temporaryLogPath(), synchronous: 'NORMAL' });
    // 21,000 events in 210 appends (more than a "small" stream prefix holds); one rare event in
    // each of a few far-apart appends; a small guild whose events are spread over the log.
    for (let append = 0; append < 210; append++) {
      const events = Array.from({ length: 100 }, () => newEvent('Common'));
      if (append % 60 === 5) {
        events[50] = newEvent('Rare');
        rare.push(events[50].id);
      }
      await store.append(`noise-${append}`, events, { expectedRevision: 'no_stream' });
      if (append % 50 === 0) {
        const event = newEvent(append % 100 === 0 ? 'Linked' : 'Synced');
        await store.append(`guild-7`, [event], { expectedRevision: 'any' });
        guild.push({ id: event.id, type: event.type });
      }
    }
    await store.append('target-1', [newEvent('Common')], { expectedRevision: 'no_stream' });
  });

  afterAll(async () => {
    await store.close();
  });

  it('finds sparse matches across the whole log, in order, in both directions', async () => {
    const forwards = await store.readAll({ filter: { eventTypes: ['Rare'] } });
    const backwards = await store.readAll({ direction: 'backwards', filter: { eventTypes: ['Rare'] } });

    expect(forwards.map((event) => event.id)).toEqual(rare);
    expect(backwards.map((event) => event.id)).toEqual([...rare].reverse());
  });

  it('pages through dense matches without skipping or repeating any event', async () => {
    const seen: number[] = [];
    let fromPosition = 0;
    for (;;) {
      const page = await store.readAll({ fromPosition, maxCount: 777, filter: { eventTypes: ['Common'] } });
      if (page.length === 0) break;
      seen.push(...page.map((event) => event.position));
      fromPosition = page[page.length - 1].position + 1;
    }

    expect(seen).toHaveLength(21_001 - rare.length); // the guild's events are not Common
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages through a big stream prefix without skipping or repeating any event', async () => {
    const seen: number[] = [];
    let fromPosition = 0;
    for (;;) {
      const page = await store.readAll({ fromPosition, maxCount: 1_000, filter: { streamPrefixes: ['noise-'] } });
      if (page.length === 0) break;
      seen.push(...page.map((event) => event.position));
      fromPosition = page[page.length - 1].position + 1;
    }

    expect(seen).toHaveLength(21_000);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a small stream prefix spread over the log is read newest first, once per event, with its types', async () => {
    const newestFirst = await store.readAll({
      direction: 'backwards',
      filter: { streamPrefixes: ['guild-', 'guild-7'] },
    });
    const linked = await store.readAll({ filter: { streamPrefixes: ['guild-'], eventTypes: ['Linked'] } });
    const page = await store.readAll({ direction: 'backwards', maxCount: 2, filter: { streamPrefixes: ['guild-'] } });

    expect(newestFirst.map((event) => event.id)).toEqual(guild.map((event) => event.id).reverse());
    expect(linked.map((event) => event.id)).toEqual(guild.filter((e) => e.type === 'Linked').map((e) => e.id));
    expect(page).toEqual(newestFirst.slice(0, 2));
  });

  it('a stream-prefix filter returns only the matching stream, even at the end of the log', async () => {
    const events = await store.readAll({ filter: { streamPrefixes: ['target-'] } });

    expect(events.map((event) => event.streamId)).toEqual(['target-1']);
  });

  it('a filtered subscription moves past non-matching events and delivers later matches', async () => {
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['late-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    const event = newEvent();

    await store.append('late-1', [event], { expectedRevision: 'no_stream' });

    const delivered = await pending;
    expect(delivered.done ? [] : delivered.value.map((recorded) => recorded.id)).toEqual([event.id]);
    await subscription.close();
  });
});

describe('prefixUpperBound', () => {
  it('is the smallest string above every string that starts with the prefix', () => {
    expect(prefixUpperBound('guild-')).toBe('guild.');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{D7FF}')).toBe('\u{E000}');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
  });
});
