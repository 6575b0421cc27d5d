import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@herald/core';
import type { ReadStreamOptions } from '../event-store.port';
import { EVENT_COLUMNS, type EventRow, toRecordedEvents } from './event-rows';

export type ReadStream = (streamId: string, options: ReadStreamOptions) => RecordedEvent[];

/** SQLite reads a negative LIMIT as "no limit". */
const NO_LIMIT = -1;

/** Reads one stream through `events_by_stream`; a deleted stream has no rows left, so it reads as `[]`. */
export function createReadStream(db: Database.Database): ReadStream {
  const forwards = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`)
    .raw();
  const backwards = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`)
    .raw();

  return (streamId, { fromRevision, direction = 'forwards', maxCount = NO_LIMIT }) => {
    const rows =
      direction === 'backwards'
        ? backwards.all(streamId, fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
        : forwards.all(streamId, fromRevision ?? 0, maxCount);
    return toRecordedEvents(rows as EventRow[]);
  };
}
