import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import type { EventStore, ScanAllOptions } from '@herald/eventstore';
import { ROOT } from './support/built-herald';

/**
 * The SQLite read-ahead runs on a worker thread, which loads the compiled worker, so this test
 * drives the build in dist/ (the TypeScript sources scan on one thread, as the contract tests show).
 */
const { createSqliteEventStore } = require(join(ROOT, 'dist/libs/eventstore/src/sqlite/sqlite-event-store.js')) as {
  createSqliteEventStore: (options: { path: string; readAheadFrom?: number }) => EventStore;
};

describe('SQLite scanAll reading ahead on a worker thread', () => {
  let dir: string;
  let readingAhead: EventStore;
  let oneThread: EventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-scan-'));
    const path = join(dir, 'events.sqlite');
    readingAhead = createSqliteEventStore({ path, readAheadFrom: 1 });
    oneThread = createSqliteEventStore({ path, readAheadFrom: Number.MAX_SAFE_INTEGER });
    for (let batch = 0; batch < 50; batch += 1) {
      const events = Array.from({ length: 100 }, (_, i) => testEvent(i % 3 === 0 ? 'WinsSynced' : 'Noise', { batch, i }));
      await readingAhead.append(`guildmember-${batch % 7}_${batch}`, events, { expectedRevision: 'any' });
    }
    // SQLite writes the worker's JSON, so text that JSON must escape goes through it too.
    const awkward = 'quote " backslash \\ tab \t line\u2028sep é 🎉';
    await readingAhead.append(`guild-${awkward}`, [testEvent('Noise', { text: awkward, nested: { list: [awkward, 1.5, null] } })], {
      expectedRevision: 'any',
    });
  });

  afterAll(async () => {
    await readingAhead.close();
    await oneThread.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = async (store: EventStore, options: ScanAllOptions) => {
    const pages: RecordedEvent[][] = [];
    for await (const page of store.scanAll(options)) pages.push(page);
    return pages;
  };

  it.each<[string, ScanAllOptions]>([
    ['the whole log', { pageSize: 300 }],
    ['a type filter', { filter: { eventTypes: ['WinsSynced'] }, pageSize: 250 }],
    ['a stream prefix after a position', { afterPosition: 1234, filter: { streamPrefixes: ['guildmember-3_'] }, pageSize: 64 }],
  ])('gives the same pages as a scan on one thread: %s', async (_, options) => {
    const ahead = await scan(readingAhead, options);
    expect(ahead.length).toBeGreaterThan(1);
    expect(ahead).toEqual(await scan(oneThread, options));
  });

  it('carries escaped and non-ASCII text through unchanged', async () => {
    const [event] = (await scan(readingAhead, { filter: { streamPrefixes: ['guild-quote'] }, pageSize: 10 })).flat();
    expect(event.streamId).toBe('guild-quote " backslash \\ tab \t line\u2028sep é 🎉');
    expect(event.data).toEqual({ text: 'quote " backslash \\ tab \t line\u2028sep é 🎉', nested: { list: [event.data.text, 1.5, null] } });
  });

  it('reads on a worker while the caller works, and ends it when the caller stops early', async () => {
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
    for await (const page of readingAhead.scanAll({ pageSize: 10 })) {
      expect(page).toHaveLength(10);
      expect(process.getActiveResourcesInfo()).toContain('MessagePort');
      break;
    }
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
    const events = await scan(readingAhead, { pageSize: 5000 });
    expect(events.flat()).toHaveLength(5001);
    for await (const page of oneThread.scanAll({ pageSize: 10 })) {
      expect(page).toHaveLength(10);
      expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
      break;
    }
  });
});
