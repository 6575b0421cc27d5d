import type Database from 'better-sqlite3';
import type { NewEvent } from '@herald/core';
import type { AppendResult, ExpectedRevision } from '../event-store.port';
import { StreamDeleted, WrongExpectedRevision } from '../errors';
import type { EventRow } from './event-rows';
import type { AppendedRows } from './recent-events';

/**
 * Where an append lands, raw: the stream's last revision (null when it has none), whether its name is
 * dead (0/1), the highest position of an event in the log, and the head when a stream was last deleted.
 */
type PlaceRow = [revision: number | null, deleted: 0 | 1, head: number | null, deletedHead: number | null];
/** An event already in the stream, as the idempotency check compares it: [revision, event id, position]. */
type StoredIdRow = [revision: number, eventId: string, position: number];

export interface AppendOutcome {
  result: AppendResult;
  /** What the append wrote; absent when it was an idempotent repeat and nothing was written. */
  written?: AppendedRows;
}

/**
 * A better-sqlite3 transaction function: `.immediate(...)` runs the append in its own `BEGIN IMMEDIATE`
 * transaction; called inside a transaction, it runs in a savepoint of its own.
 */
export type AppendToStream = Database.Transaction<
  (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => AppendOutcome
>;

/**
 * Builds the append, to run under the write lock (`BEGIN IMMEDIATE`, so two processes on the same
 * file take it in turn and each revision is won exactly once): alone, or in a savepoint among the
 * appends of one group commit (`GroupCommit`). The happy path costs one query for the stream's
 * revision, its tombstone and the head (index seeks, written nowhere), `data_version` for the recent
 * events the live subscriptions read, and one multi-row insert per 100 events; the idempotency
 * queries run only when the expected revision does not match (or for `any` / `stream_exists` on an
 * existing stream).
 */
export function createAppendToStream(db: Database.Database): AppendToStream {
  const selectPlace = db
    .prepare(
      `SELECT (SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1),
              EXISTS (SELECT 1 FROM deleted_streams WHERE stream_id = ?),
              (SELECT max(position) FROM events),
              (SELECT max(head_position) FROM deleted_streams)`,
    )
    .raw();
  const selectIdsFrom = db
    .prepare(
      'SELECT revision, event_id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
    )
    .raw();
  // Scans the stream's rows (no index on event ids: it would halve batched append speed);
  // only `any` / `stream_exists` appends to an existing stream pay for it.
  const selectRevisionOfId = db
    .prepare('SELECT revision FROM events WHERE stream_id = ? AND event_id = ? LIMIT 1')
    .pluck();
  const insertRows = createInsertRows(db);
  const selectDataVersion = db.prepare('PRAGMA data_version').pluck();

  /** The original result when `events` already stand in the stream from `firstRevision` on, else null. */
  function findEarlierAppend(
    streamId: string,
    events: readonly NewEvent[],
    firstRevision: number,
  ): AppendResult | null {
    const stored = selectIdsFrom.all(streamId, firstRevision, events.length) as StoredIdRow[];
    if (stored.length !== events.length) return null;
    for (let i = 0; i < events.length; i++) {
      if (stored[i][0] !== firstRevision + i || stored[i][1] !== events[i].id) return null;
    }
    const last = stored[stored.length - 1];
    return { nextExpectedRevision: last[0], position: last[2] };
  }

  const appendInTransaction = db.transaction(
    (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendOutcome => {
      const [last, deleted, head, deletedHead] = selectPlace.get(streamId, streamId) as PlaceRow;
      if (deleted === 1) throw new StreamDeleted(streamId);
      const current = last ?? undefined;
      const conflict = () => new WrongExpectedRevision(streamId, expected, current ?? 'no_stream');

      if (typeof expected === 'number') {
        if (current !== expected) {
          // A retry of an append that already succeeded finds its own events right after `expected`.
          const earlier =
            current !== undefined && current > expected ? findEarlierAppend(streamId, events, expected + 1) : null;
          if (earlier) return { result: earlier };
          throw conflict();
        }
      } else if (expected === 'no_stream') {
        if (current !== undefined) {
          const earlier = findEarlierAppend(streamId, events, 0);
          if (earlier) return { result: earlier };
          throw conflict();
        }
      } else {
        if (expected === 'stream_exists' && current === undefined) throw conflict();
        if (current !== undefined) {
          const revision = selectRevisionOfId.get(streamId, events[0].id) as number | undefined;
          if (revision !== undefined) {
            // The first id is already there: the whole append must be, or the retry is not a repeat.
            const earlier = findEarlierAppend(streamId, events, revision);
            if (earlier) return { result: earlier };
            throw conflict();
          }
        }
      }

      const firstRevision = (current ?? -1) + 1;
      const firstPosition = Math.max(head ?? 0, deletedHead ?? 0) + 1;
      const dataVersion = selectDataVersion.get() as number;
      const rows = insertRows(streamId, firstRevision, firstPosition, events);
      const revision = firstRevision + events.length - 1;
      const position = rows[rows.length - 1][0];
      return { result: { nextExpectedRevision: revision, position }, written: { previousHead: head, dataVersion, rows } };
    },
  );

  return appendInTransaction;
}

/** Rows per INSERT statement: far below SQLite's 32,766 bound parameters at 7 per row. */
const MAX_ROWS_PER_INSERT = 100;
const PARAMETERS_PER_ROW = 7;

/**
 * Inserts events at the positions from `firstPosition` on with multi-row INSERT statements (one
 * statement per 100 events, prepared once per row count). Returns the rows as stored.
 */
function createInsertRows(db: Database.Database) {
  const statements = new Map<number, Database.Statement>();
  const statementFor = (rows: number) => {
    let statement = statements.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      statement = db.prepare(
        `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata) VALUES ${values}`,
      );
      statements.set(rows, statement);
    }
    return statement;
  };

  return (streamId: string, firstRevision: number, firstPosition: number, events: readonly NewEvent[]): EventRow[] => {
    const stored = new Array<EventRow>(events.length);
    for (let start = 0; start < events.length; start += MAX_ROWS_PER_INSERT) {
      const rows = Math.min(MAX_ROWS_PER_INSERT, events.length - start);
      const parameters = new Array<unknown>(rows * PARAMETERS_PER_ROW);
      for (let row = 0; row < rows; row++) {
        const event = events[start + row];
        const position = firstPosition + start + row;
        const revision = firstRevision + start + row;
        const data = JSON.stringify(event.data);
        const metadata = JSON.stringify(event.metadata);
        const offset = row * PARAMETERS_PER_ROW;
        parameters[offset] = position;
        parameters[offset + 1] = streamId;
        parameters[offset + 2] = revision;
        parameters[offset + 3] = event.id;
        parameters[offset + 4] = event.type;
        parameters[offset + 5] = data;
        parameters[offset + 6] = metadata;
        stored[start + row] = [position, streamId, revision, event.id, event.type, data, metadata];
      }
      statementFor(rows).run(parameters);
    }
    return stored;
  };
}
