import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

/**
 * How long an append waits for the write lock held by another process on the same file (the server
 * and the CLI share it) before it fails as unavailable.
 */
const BUSY_TIMEOUT_MS = 5_000;

/** Bumped with every change to `SCHEMA`; a newer file is refused rather than misread. */
const SCHEMA_VERSION = 2;

/*
 * An append writes the `events` row and its two index entries, nothing else: each page more is one
 * more WAL frame to fsync per commit. So a stream's revision is read from `events_by_stream`, and
 * positions come from the head, not from AUTOINCREMENT (whose `sqlite_sequence` row was a page per
 * commit). `deleted_streams` keeps each deleted stream's name dead, and the head of the log when it
 * was deleted: the next position is past both, so a deleted stream's positions are never handed out
 * again. `events_by_type` serves event-type filters; stream-prefix filters use `events_by_stream`.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY,
    stream_id TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    event_id  TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    metadata  TEXT    NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, revision);
  CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
  CREATE TABLE IF NOT EXISTS deleted_streams (
    stream_id     TEXT    PRIMARY KEY,
    head_position INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS deleted_streams_by_head ON deleted_streams (head_position);
`;

/*
 * Version 1 kept every stream's revision in `streams` and numbered positions with AUTOINCREMENT.
 * Its `events` table stays as it is (rebuilding it would hold the write lock for as long as the
 * log takes to copy), so such a file still writes `sqlite_sequence` per commit. Its tombstones
 * move to `deleted_streams` with the highest position ever handed out.
 */
const FROM_VERSION_1 = `
  INSERT INTO deleted_streams (stream_id, head_position)
    SELECT stream_id, (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'events') FROM streams WHERE deleted = 1;
  DROP TABLE streams;
`;

/** Opens (and on first use creates) the event log file: WAL, durable commits, a busy timeout. */
export function openEventLog(path: string, synchronous: SqliteSynchronous): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`event log ${path} has schema version ${version}; this Herald knows up to ${SCHEMA_VERSION}`);
      }
      db.exec(SCHEMA);
      if (version === 1) db.exec(FROM_VERSION_1);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
