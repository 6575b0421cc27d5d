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
const SCHEMA_VERSION = 1;

/*
 * `position` is AUTOINCREMENT so that positions of a deleted stream are never handed out again
 * (a plain rowid would reuse the highest one). `streams` holds each stream's current revision, so
 * an append checks its expected revision with one indexed lookup, and the tombstones of deleted
 * streams. `events_by_type` serves event-type filters; stream-prefix filters use `events_by_stream`.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    event_id  TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    metadata  TEXT    NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, revision);
  CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT    PRIMARY KEY,
    revision  INTEGER,
    deleted   INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
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
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
