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

/**
 * The columns of a read-ahead row: its position, and the event as the JSON array `decodeRowPage`
 * reads, with `data` and `metadata` spliced in as the JSON they already are. SQLite builds the text,
 * so the worker takes one string per event instead of seven values and quotes nothing itself.
 */
export const JSON_ROW_COLUMNS =
  "position, '[' || position || ',' || json_quote(stream_id) || ',' || revision || ',' || json_quote(event_id) || ',' || " +
  "json_quote(type) || ',' || data || ',' || metadata || ']'";

export type JsonRow = [position: number, json: string];

/**
 * Rows as one JSON text: the read-ahead worker posts it, and the reader turns a whole page into
 * events with one `JSON.parse`, which costs the main thread less than parsing two strings per event.
 */
export function joinJsonRows(rows: JsonRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) parts[i] = rows[i][1];
  return `[${parts.join(',')}]`;
}

export function decodeRowPage(text: string): RecordedEvent[] {
  const rows = JSON.parse(text) as Array<[number, string, number, string, string, RecordedEvent['data'], RecordedEvent['metadata']]>;
  const events = new Array<RecordedEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    events[i] = { id: row[3], type: row[4], data: row[5], metadata: row[6], streamId: row[1], revision: row[2], position: row[0] };
  }
  return events;
}
