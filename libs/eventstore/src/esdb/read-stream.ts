import { BACKWARDS, END, ErrorType, FORWARDS, START, type EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedEvent } from '@herald/core';
import type { ReadStreamOptions } from '../event-store.port';
import { translateEsdbError } from './esdb-errors';
import { toRecordedEvent } from './esdb-events';

/** Errors that mean "nothing to read": the port reads a missing or deleted stream as `[]`. */
const EMPTY_STREAM_ERRORS: ReadonlySet<unknown> = new Set([ErrorType.STREAM_NOT_FOUND, ErrorType.STREAM_DELETED]);

export async function readStream(
  client: EventStoreDBClient,
  streamId: string,
  { fromRevision, direction = 'forwards', maxCount }: ReadStreamOptions,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    // Errors such as "stream not found" arrive while iterating, not from the call.
    const read = client.readStream(streamId, {
      direction: direction === 'backwards' ? BACKWARDS : FORWARDS,
      fromRevision: fromRevision !== undefined ? BigInt(fromRevision) : direction === 'backwards' ? END : START,
      ...(maxCount !== undefined && { maxCount }),
    });
    for await (const resolved of read) {
      const event = toRecordedEvent(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (error instanceof Error && EMPTY_STREAM_ERRORS.has((error as { type?: unknown }).type)) return [];
    throw translateEsdbError(error, { streamId });
  }
  return events;
}
