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

/*
 * A filtered query is run over a window of positions, not over the whole rest of the log. Without
 * the bound, a filter that matches most events makes SQLite collect every match after the start
 * through an index before sorting out one page (quadratic over a rebuild); with it, each query
 * touches at most one window, whichever plan SQLite picks. Windows grow while matches are sparse, so
 * a rare filter still crosses a long log in a few queries, each using the type or stream index.
 */
const FIRST_WINDOW_PER_EVENT = 4;
const MIN_WINDOW = 4_096;
const MAX_WINDOW = 1 << 20;
const WINDOW_GROWTH = 4;

/** Orders after every TEXT value in SQLite (TEXT < BLOB), for a prefix with no finite upper bound. */
const ABOVE_ALL_TEXT = Buffer.alloc(0);

export function createReadRange(db: Database.Database): ReadRange {
  const statements = new Map<string, Database.Statement>();

  function statementFor(direction: Direction, prefixCount: number, typeCount: number): Database.Statement {
    const key = `${direction}:${prefixCount}:${typeCount}`;
    let statement = statements.get(key);
    if (!statement) {
      const conditions = ['position BETWEEN ? AND ?'];
      if (prefixCount > 0) {
        conditions.push(
          `(${Array.from({ length: prefixCount }, () => '(stream_id >= ? AND stream_id < ?)').join(' OR ')})`,
        );
      }
      if (typeCount > 0) conditions.push(`type IN (${Array.from({ length: typeCount }, () => '?').join(', ')})`);
      const order = direction === 'forwards' ? 'ASC' : 'DESC';
      statement = db
        .prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position ${order} LIMIT ?`,
        )
        .raw();
      statements.set(key, statement);
    }
    return statement;
  }

  return (lowest, highest, direction, maxCount, filter) => {
    if (lowest > highest) return [];
    const prefixes = filter?.streamPrefixes ?? [];
    const types = filter?.eventTypes ?? [];
    const statement = statementFor(direction, prefixes.length, types.length);
    if (!filter) return toRecordedEvents(statement.all(lowest, highest, maxCount) as EventRow[]);

    const filterParameters: unknown[] = [];
    for (const prefix of prefixes) filterParameters.push(prefix, prefixUpperBound(prefix) ?? ABOVE_ALL_TEXT);
    filterParameters.push(...types);

    const events: RecordedEvent[] = [];
    let window = Math.max(MIN_WINDOW, maxCount * FIRST_WINDOW_PER_EVENT);
    let low = lowest;
    let high = highest;
    while (low <= high && events.length < maxCount) {
      const remaining = maxCount - events.length;
      const from = direction === 'forwards' ? low : Math.max(low, high - window + 1);
      const to = direction === 'forwards' ? Math.min(high, low + window - 1) : high;
      const rows = statement.all(from, to, ...filterParameters, remaining) as EventRow[];
      for (const event of toRecordedEvents(rows)) events.push(event);
      if (direction === 'forwards') low = to + 1;
      else high = from - 1;
      if (rows.length < remaining) window = Math.min(MAX_WINDOW, window * WINDOW_GROWTH);
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
