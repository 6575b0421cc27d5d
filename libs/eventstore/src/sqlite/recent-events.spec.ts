import { randomUUID } from 'node:crypto';
import type { EventRow } from './event-rows';
import { RecentEvents, servableFromMemory } from './recent-events';

function row(position: number, streamId = 'guild-1', type = 'Happened', data = '{}'): EventRow {
  return [position, streamId, 0, randomUUID(), type, data, '{}'];
}

/** Rows at `from`..`to` in one append after `previousHead`, as the append under the write lock reports them. */
function appended(previousHead: number | null, from: number, to: number, dataVersion = 1) {
  const rows = Array.from({ length: to - from + 1 }, (_, i) => row(from + i));
  return { previousHead, dataVersion, rows };
}

const positions = (rows: EventRow[] | undefined) => rows?.map((stored) => stored[0]);

describe('RecentEvents', () => {
  it('covers nothing before it has seen an append', () => {
    const recent = new RecentEvents();

    expect(recent.readAfter(0, 10, undefined, () => 1)).toBeUndefined();
  });

  it('serves the events after a covered position, and the head as the place to move to', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(10, 11, 13));

    expect(positions(recent.readAfter(10, 10, undefined, () => 1)?.rows)).toEqual([11, 12, 13]);
    expect(positions(recent.readAfter(11, 10, undefined, () => 1)?.rows)).toEqual([12, 13]);
    expect(recent.readAfter(11, 10, undefined, () => 1)?.through).toBe(13);
    expect(recent.readAfter(9, 10, undefined, () => 1)).toBeUndefined();
  });

  it('an append right after the last one extends the range; one after a gap starts it again', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(10, 11, 12));
    recent.recordAppend(appended(12, 13, 13));

    expect(positions(recent.readAfter(10, 10, undefined, () => 1)?.rows)).toEqual([11, 12, 13]);

    // Positions 14 and 15 went to another process: this process never saw them.
    recent.recordAppend(appended(15, 16, 16));

    expect(recent.readAfter(13, 10, undefined, () => 1)).toBeUndefined();
    expect(positions(recent.readAfter(15, 10, undefined, () => 1)?.rows)).toEqual([16]);
  });

  it('a commit by another connection drops the range until this process appends again', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(0, 1, 3, 7));

    expect(recent.readAfter(0, 10, undefined, () => 8)).toBeUndefined();
    expect(recent.readAfter(0, 10, undefined, () => 7)).toBeUndefined();

    recent.recordAppend(appended(5, 6, 6, 8));
    expect(positions(recent.readAfter(5, 10, undefined, () => 8)?.rows)).toEqual([6]);
  });

  it('an append seeing another connection\'s commit starts the range again, even at the same head', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(0, 1, 3, 7));

    // Another connection deleted a stream in 1..3: the head is unchanged, the data version is not.
    recent.recordAppend(appended(3, 4, 4, 8));

    expect(recent.readAfter(0, 10, undefined, () => 8)).toBeUndefined();
    expect(positions(recent.readAfter(3, 10, undefined, () => 8)?.rows)).toEqual([4]);
  });

  it('applies the filter, and a full batch moves only to its last event', () => {
    const recent = new RecentEvents();
    recent.recordAppend({
      previousHead: 0,
      dataVersion: 1,
      rows: [row(1, 'guild-1', 'Linked'), row(2, 'user-1', 'Linked'), row(3, 'guild-2', 'Synced'), row(4, 'guild-3', 'Linked'), row(5, 'guild-4', 'Linked')],
    });
    const guildLinks = { streamPrefixes: ['guild-'], eventTypes: ['Linked'] };

    const first = recent.readAfter(0, 2, guildLinks, () => 1);
    const rest = recent.readAfter(first!.through, 2, guildLinks, () => 1);

    expect(first).toEqual({ rows: [expect.anything(), expect.anything()], through: 4 });
    expect(positions(first!.rows)).toEqual([1, 4]);
    expect(positions(rest!.rows)).toEqual([5]);
    expect(recent.readAfter(0, 1, guildLinks, () => 1)!.through).toBe(1);
    expect(recent.readAfter(1, 5, { eventTypes: ['Synced'] }, () => 1)).toEqual({ rows: [expect.anything()], through: 5 });
  });

  it('at or past the head, finds nothing and never moves a reader back', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(0, 1, 2));

    expect(recent.readAfter(2, 10, undefined, () => 1)).toEqual({ rows: [], through: 2 });
    expect(recent.readAfter(9, 10, undefined, () => 1)).toEqual({ rows: [], through: 9 });
  });

  it('evicts the oldest events beyond its size, and no longer covers their positions', () => {
    const recent = new RecentEvents({ maxEvents: 3 });
    recent.recordAppend(appended(0, 1, 2));
    recent.recordAppend(appended(2, 3, 5));

    expect(recent.readAfter(1, 10, undefined, () => 1)).toBeUndefined();
    expect(positions(recent.readAfter(2, 10, undefined, () => 1)?.rows)).toEqual([3, 4, 5]);
  });

  it('evicts by the characters kept as well', () => {
    const recent = new RecentEvents({ maxChars: 400 });
    const big = (position: number) => row(position, 'guild-1', 'Happened', JSON.stringify({ text: 'x'.repeat(100) }));
    recent.recordAppend({ previousHead: 0, dataVersion: 1, rows: [big(1), big(2), big(3)] });

    expect(recent.readAfter(0, 10, undefined, () => 1)).toBeUndefined();
    expect(positions(recent.readAfter(1, 10, undefined, () => 1)?.rows)).toEqual([2, 3]);
  });

  it('an append larger than its size keeps only what fits and still covers the rest of it', () => {
    const recent = new RecentEvents({ maxEvents: 2 });
    recent.recordAppend(appended(0, 1, 5));

    expect(recent.readAfter(2, 10, undefined, () => 1)).toBeUndefined();
    expect(positions(recent.readAfter(3, 10, undefined, () => 1)?.rows)).toEqual([4, 5]);
  });

  it('stays exact over a long run of appends and evictions', () => {
    const recent = new RecentEvents({ maxEvents: 100 });
    for (let position = 1; position <= 5_000; position++) recent.recordAppend(appended(position - 1, position, position));

    expect(recent.readAfter(4_899, 10, undefined, () => 1)).toBeUndefined();
    expect(positions(recent.readAfter(4_900, 3, undefined, () => 1)?.rows)).toEqual([4_901, 4_902, 4_903]);
    expect(positions(recent.readAfter(4_997, 10, undefined, () => 1)?.rows)).toEqual([4_998, 4_999, 5_000]);
  });

  it('with no room, keeps nothing and covers nothing', () => {
    const recent = new RecentEvents({ maxEvents: 0 });
    recent.recordAppend(appended(0, 1, 2));

    expect(recent.readAfter(0, 10, undefined, () => 1)).toBeUndefined();
  });

  it('drop forgets everything it covered', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(0, 1, 2));

    recent.drop();

    expect(recent.readAfter(0, 10, undefined, () => 1)).toBeUndefined();
  });

  it('an append with a lone surrogate in its stream id or type is left to the file, and drops the range', () => {
    const recent = new RecentEvents();
    recent.recordAppend(appended(0, 1, 1));

    recent.recordAppend({ previousHead: 1, dataVersion: 1, rows: [row(2, 'guild-\uD800')] });
    expect(recent.readAfter(1, 10, undefined, () => 1)).toBeUndefined();

    recent.recordAppend({ previousHead: 2, dataVersion: 1, rows: [row(3, 'guild-1', 'Odd\uDC00')] });
    expect(recent.readAfter(2, 10, undefined, () => 1)).toBeUndefined();

    recent.recordAppend({ previousHead: 3, dataVersion: 1, rows: [row(4, 'guild-\u{1F600}')] });
    expect(positions(recent.readAfter(3, 10, undefined, () => 1)?.rows)).toEqual([4]);
  });

  it('only filters without lone surrogates are served from memory', () => {
    expect(servableFromMemory(undefined)).toBe(true);
    expect(servableFromMemory({ streamPrefixes: ['guild-\u{1F600}'], eventTypes: ['Linked'] })).toBe(true);
    expect(servableFromMemory({ streamPrefixes: ['guild-\uD800'] })).toBe(false);
    expect(servableFromMemory({ eventTypes: ['\uDC00'] })).toBe(false);
  });
});
