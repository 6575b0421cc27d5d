import { matchesStreamAndType, type NormalizedFilter } from '../event-filter';
import type { EventRow } from './event-rows';

export interface RecentEventsLimits {
  /** Most events kept (default 4,096); 0 keeps none, and every subscription reads the file. */
  maxEvents?: number;
  /** Most characters kept, counting ids, stream ids, types, data and metadata (default 8 Mi). */
  maxChars?: number;
}

/** What one append wrote, as known under its write lock. */
export interface AppendedRows {
  /** The log's head just before the append: every position up to it was already taken. */
  previousHead: number | null;
  /** `PRAGMA data_version` in the append's transaction; it moves whenever another connection commits. */
  dataVersion: number;
  /** The rows as stored, positions included, in position order. */
  rows: EventRow[];
}

/** A forward read: the matching rows, and the position the reader has now seen the whole log through. */
export interface RecentRead {
  rows: EventRow[];
  through: number;
}

const DEFAULT_MAX_EVENTS = 4_096;
const DEFAULT_MAX_CHARS = 8 * 1024 * 1024;
/** Evicted rows are cut off the array in one go once this many have piled up at its front. */
const COMPACT_AFTER = 1_024;

/**
 * The newest events this process appended, kept as the rows it stored, so that the live
 * subscriptions of this process, all woken by one append, take it from memory instead of each
 * querying the file and parsing the same rows again.
 *
 * It covers a range of positions: every event of the log with `after < position <= through` is
 * in it. An append extends the range when nothing else touched the file since the last one (the
 * append's previous head is `through` and no other connection committed); otherwise the range
 * starts again at that append. A read checks `data_version` before serving: a commit by another
 * connection (an append, or a delete that would make kept rows stale) drops the range, and
 * subscriptions read the file until this process appends again. Rows are kept only while this
 * process has a subscription.
 *
 * Rows are handed out as rows: each read builds its own events from them, as a read of the file
 * does, so no two consumers ever share an object.
 */
export class RecentEvents {
  private readonly maxEvents: number;
  private readonly maxChars: number;
  private rows: EventRow[] = [];
  /** Index in `rows` of the oldest row kept; rows before it are evicted. */
  private oldest = 0;
  private chars = 0;
  private covering = false;
  private after = 0;
  private through = 0;
  private dataVersion = 0;

  constructor(limits: RecentEventsLimits = {}) {
    this.maxEvents = limits.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS;
  }

  /** Call after the append committed. */
  recordAppend({ previousHead, dataVersion, rows }: AppendedRows): void {
    if (this.maxEvents === 0 || rows.length === 0) return;
    if (!rows.every(readsBackAsWritten)) {
      this.drop();
      return;
    }
    const head = previousHead ?? 0;
    if (!this.covering || dataVersion !== this.dataVersion || head !== this.through) {
      this.drop();
      this.covering = true;
      this.after = head;
    }
    this.dataVersion = dataVersion;
    for (const row of rows) {
      this.rows.push(row);
      this.chars += charsOf(row);
    }
    this.through = rows[rows.length - 1][0];
    this.evict();
  }

  /** Forgets everything (a delete, say, may remove rows kept here); the next append starts again. */
  drop(): void {
    this.covering = false;
    this.rows = [];
    this.oldest = 0;
    this.chars = 0;
  }

  /**
   * The rows matching `filter` after `afterPosition`, at most `maxCount`, as a read of the file up to
   * its head returns them, with the position the reader may move to: the last row's when the batch
   * is full, else the head. `undefined` when the range does not cover `afterPosition` or the file
   * changed under it (`currentDataVersion` reads the connection's `data_version`, only when needed).
   */
  readAfter(
    afterPosition: number,
    maxCount: number,
    filter: NormalizedFilter | undefined,
    currentDataVersion: () => number,
  ): RecentRead | undefined {
    if (!this.covering || afterPosition < this.after) return undefined;
    if (currentDataVersion() !== this.dataVersion) {
      this.drop();
      return undefined;
    }
    if (afterPosition >= this.through) return { rows: [], through: afterPosition };
    const found: EventRow[] = [];
    for (let i = this.firstIndexAfter(afterPosition); i < this.rows.length && found.length < maxCount; i++) {
      const row = this.rows[i];
      if (matchesStreamAndType(row[1], row[4], filter)) found.push(row);
    }
    return { rows: found, through: found.length === maxCount ? found[found.length - 1][0] : this.through };
  }

  private firstIndexAfter(position: number): number {
    let low = this.oldest;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.rows[middle][0] <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private evict(): void {
    while (this.oldest < this.rows.length && (this.rows.length - this.oldest > this.maxEvents || this.chars > this.maxChars)) {
      const evicted = this.rows[this.oldest++];
      this.chars -= charsOf(evicted);
      this.after = evicted[0];
    }
    if (this.oldest >= COMPACT_AFTER && this.oldest * 2 >= this.rows.length) {
      this.rows = this.rows.slice(this.oldest);
      this.oldest = 0;
    }
  }
}

function charsOf(row: EventRow): number {
  return row[1].length + row[3].length + row[4].length + row[5].length + row[6].length;
}

/**
 * A lone surrogate does not survive SQLite's UTF-8 (the file returns replacement characters), so a
 * row with one in its stream id or type would not read back as written, and a filter with one
 * would not select what the file's query selects. Data and metadata are JSON text, escaped already.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function readsBackAsWritten(row: EventRow): boolean {
  return !LONE_SURROGATE.test(row[1]) && !LONE_SURROGATE.test(row[4]);
}

/** Whether `filter` selects from kept rows exactly what the file's query selects. */
export function servableFromMemory(filter: NormalizedFilter | undefined): boolean {
  if (!filter) return true;
  return [...(filter.streamPrefixes ?? []), ...(filter.eventTypes ?? [])].every((text) => !LONE_SURROGATE.test(text));
}
