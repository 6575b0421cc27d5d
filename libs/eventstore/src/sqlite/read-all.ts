import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@herald/core';
import type { NormalizedFilter } from '../event-filter';
import { EVENT_COLUMNS, type EventRow, toRecordedEvents } from './event-rows';

export type Direction = 'forwards' | 'backwards';

/** Reads events with `lowest <= position <= highest` in `direction`, at most `maxCount` of them. */
export type ReadRange = (
  lowest: number,
  highest: number,
  direction: Direction,
  maxCount: number,
  filter: NormalizedFilter | undefined,
) => RecordedEvent[];

/**
 * The same read, as raw rows of `columns`, the position first (`JSON_ROW_COLUMNS` is what the
 * read-ahead worker posts; parsing stays with the reader).
 */
export type ReadRowRange<Row> = (...args: Parameters<ReadRange>) => Row[];

export function createReadRange(db: Database.Database): ReadRange {
  const readRows = createReadRowRange<EventRow>(db, EVENT_COLUMNS);
  return (...args) => toRecordedEvents(readRows(...args));
}

/*
 * A filtered query is run over a window of positions, not over the whole rest of the log. Without
 * the bound, a filter that matches most events makes SQLite collect every match after the start
 * through an index before sorting out one page (quadratic over a rebuild); with it, each query
 * touches at most one window. Windows grow while matches are sparse, so a rare filter crosses a
 * long log in a few queries. Each window is read in one of two ways: while matches are dense, an
 * in-order scan of the position range that stops at the page size (`+column` keeps SQLite off the
 * indexes); once a window matched less than a quarter of its positions, through the type index.
 */
const FIRST_WINDOW_PER_EVENT = 4;
const MIN_WINDOW = 4_096;
const MAX_WINDOW = 1 << 20;
const WINDOW_GROWTH = 4;
const DENSE_SHARE = 0.25;

/*
 * A window scan would read a whole long log to find the few events of a small stream prefix (one
 * guild's audit). So over a wide range, a prefix filter first lists the prefixes' events from
 * `events_by_stream`, a covering index scan (the position is the rowid); when they are no more than
 * this many, the events are fetched by position and no window scan is needed.
 */
const SMALL_PREFIX_EVENTS = 20_000;
/** Prefix lists found too big are remembered (they rarely shrink), so each page does not list them again. */
const REMEMBERED_BIG_PREFIX_LISTS = 1_000;

/** Orders after every TEXT value in SQLite (TEXT < BLOB), for a prefix with no finite upper bound. */
const ABOVE_ALL_TEXT = Buffer.alloc(0);

export function createReadRowRange<Row extends [number, ...unknown[]]>(db: Database.Database, columns: string): ReadRowRange<Row> {
  const statements = new Map<string, Database.Statement>();
  const cached = (key: string, sql: () => string) => {
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(sql()).raw();
      statements.set(key, statement);
    }
    return statement;
  };
  const repeat = (count: number, text: string, separator = ', ') =>
    Array.from({ length: count }, () => text).join(separator);
  const order = (direction: Direction) => (direction === 'forwards' ? 'ASC' : 'DESC');

  const windowQuery = (direction: Direction, prefixCount: number, typeCount: number, scan: boolean) =>
    cached(`window:${direction}:${prefixCount}:${typeCount}:${scan}`, () => {
      const column = (name: string) => (scan ? `+${name}` : name);
      const prefix = `(${column('stream_id')} >= ? AND ${column('stream_id')} < ?)`;
      const conditions = ['position BETWEEN ? AND ?'];
      if (prefixCount > 0) conditions.push(`(${repeat(prefixCount, prefix, ' OR ')})`);
      if (typeCount > 0) conditions.push(`${column('type')} IN (${repeat(typeCount, '?')})`);
      return `SELECT ${columns} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position ${order(direction)} LIMIT ?`;
    });

  const byPositionsQuery = (direction: Direction, typeCount: number) =>
    cached(`positions:${direction}:${typeCount}`, () => {
      const types = typeCount > 0 ? ` AND type IN (${repeat(typeCount, '?')})` : '';
      return (
        `SELECT ${columns} FROM events WHERE position IN (SELECT value FROM json_each(?))${types} ` +
        `ORDER BY position ${order(direction)} LIMIT ?`
      );
    });

  const prefixPositions = db
    .prepare('SELECT position FROM events INDEXED BY events_by_stream WHERE stream_id >= ? AND stream_id < ? LIMIT ?')
    .pluck();

  const bigPrefixLists = new Set<string>();

  /** Positions in range of all events under `prefixes`, or `undefined` when the prefixes hold too many events. */
  function positionsOfSmallPrefixes(
    prefixes: string[],
    prefixBounds: unknown[],
    lowest: number,
    highest: number,
  ): number[] | undefined {
    const key = prefixes.join('\u0000');
    if (bigPrefixLists.has(key)) return undefined;
    const positions = new Set<number>(); // overlapping prefixes list an event twice
    let listed = 0;
    for (let i = 0; i < prefixBounds.length; i += 2) {
      const limit = SMALL_PREFIX_EVENTS + 1 - listed;
      const found = prefixPositions.all(prefixBounds[i], prefixBounds[i + 1], limit) as number[];
      listed += found.length;
      if (listed > SMALL_PREFIX_EVENTS) {
        if (bigPrefixLists.size >= REMEMBERED_BIG_PREFIX_LISTS) bigPrefixLists.clear();
        bigPrefixLists.add(key);
        return undefined;
      }
      for (const position of found) if (position >= lowest && position <= highest) positions.add(position);
    }
    return [...positions];
  }

  return (lowest, highest, direction, maxCount, filter) => {
    if (lowest > highest) return [];
    if (!filter) {
      return windowQuery(direction, 0, 0, true).all(lowest, highest, maxCount) as Row[];
    }
    const prefixBounds: unknown[] = [];
    for (const prefix of filter.streamPrefixes ?? [])
      prefixBounds.push(prefix, prefixUpperBound(prefix) ?? ABOVE_ALL_TEXT);
    const types = filter.eventTypes ?? [];

    if (prefixBounds.length > 0 && highest - lowest >= MIN_WINDOW) {
      const positions = positionsOfSmallPrefixes(filter.streamPrefixes!, prefixBounds, lowest, highest);
      if (positions) {
        positions.sort(direction === 'forwards' ? (a, b) => a - b : (a, b) => b - a);
        // Without a type condition every listed position is a match, so only one page is fetched.
        const candidates = types.length > 0 ? positions : positions.slice(0, maxCount);
        return byPositionsQuery(direction, types.length).all(JSON.stringify(candidates), ...types, maxCount) as Row[];
      }
    }

    const events: Row[] = [];
    let dense = true;
    let window = Math.max(MIN_WINDOW, maxCount * FIRST_WINDOW_PER_EVENT);
    let low = lowest;
    let high = highest;
    while (low <= high && events.length < maxCount) {
      const remaining = maxCount - events.length;
      const from = direction === 'forwards' ? low : Math.max(low, high - window + 1);
      const to = direction === 'forwards' ? Math.min(high, low + window - 1) : high;
      const statement = windowQuery(direction, prefixBounds.length / 2, types.length, dense);
      const rows = statement.all(from, to, ...prefixBounds, ...types, remaining) as Row[];
      for (const row of rows) events.push(row);
      if (direction === 'forwards') low = to + 1;
      else high = from - 1;
      if (rows.length < remaining) {
        dense = rows.length >= (to - from + 1) * DENSE_SHARE;
        window = Math.min(MAX_WINDOW, window * WINDOW_GROWTH);
      }
    }
    return events;
  };
}

/**
 * The smallest string above every string that starts with `prefix` (UTF-8 byte order, which is
 * SQLite's BINARY collation), so `prefix <= stream_id < bound` is an index range. `undefined` when
 * no such string exists (a prefix made only of U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // skip the surrogate range
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
