import type { RecordedEvent } from '@herald/core';

/** The columns every event read selects, in the order of `EventRow`. */
export const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';

/** One `events` row as better-sqlite3 returns it in raw mode (arrays are cheaper than objects). */
export type EventRow = [
  position: number,
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row[3],
    type: row[4],
    data: JSON.parse(row[5]),
    metadata: JSON.parse(row[6]),
    streamId: row[1],
    revision: row[2],
    position: row[0],
  };
}

export function toRecordedEvents(rows: EventRow[]): RecordedEvent[] {
  const events = new Array<RecordedEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) events[i] = toRecordedEvent(rows[i]);
  return events;
}
