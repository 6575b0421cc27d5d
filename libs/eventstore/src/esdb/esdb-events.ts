import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '@herald/core';
import type { ExpectedRevision } from '../event-store.port';

export function toEsdbEvent(event: NewEvent): EventData {
  // The client serialises inside a promise executor, where a throw (a bigint, a cycle) would leave
  // the append pending forever; serialising here first makes such an append fail before it is sent.
  JSON.stringify(event.data);
  JSON.stringify(event.metadata);
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: { ...event.metadata } });
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

/** Server-made events and streams (`$metadata`, `$>` links, `$stats-…`) are not Herald's. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/**
 * Converts a resolved event to the port's shape; `undefined` for a link whose target is gone.
 * Positions are the `commit` half of the `$all` position: for events appended through gRPC it is
 * the event's own log position, unique and increasing, and far below 2^53.
 */
export function toRecordedEvent(resolved: { event?: EsdbRecordedEvent }): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  if (!event.isJson) {
    throw new Error(`event ${event.id} in ${event.streamId} is not JSON; Herald only reads events it wrote`);
  }
  if (!event.position) {
    throw new Error(`EventStoreDB did not report the position of event ${event.id}; Herald needs server 22.6 or later`);
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data as RecordedEvent['data'],
    metadata: event.metadata as unknown as EventMetadata,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(event.position.commit),
  };
}
