import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type EventStoreDBClient,
  type Position,
  type ReadAllOptions as EsdbReadAllOptions,
} from '@eventstore/db-client';
import type { RecordedEvent } from '@herald/core';
import { matchesFilter, type NormalizedFilter } from '../event-filter';
import { translateEsdbError } from './esdb-errors';
import { isSystemEvent, toRecordedEvent } from './esdb-events';

/** A `$all` position from the port's number; for gRPC-written events commit and prepare are equal. */
export function toEsdbPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

export interface EsdbReadAllRequest {
  fromPosition?: number;
  direction: 'forwards' | 'backwards';
  maxCount: number;
  filter?: NormalizedFilter;
}

/**
 * One page of `$all`, with the port's inclusive start in both directions. EventStoreDB starts a
 * backward read just before the given position, so the event at that position is fetched by a
 * one-event forward read first.
 */
export async function readAll(client: EventStoreDBClient, request: EsdbReadAllRequest): Promise<RecordedEvent[]> {
  const { fromPosition, direction, maxCount, filter } = request;
  if (direction === 'forwards') {
    return collect(
      client,
      { direction: FORWARDS, fromPosition: fromPosition !== undefined ? toEsdbPosition(fromPosition) : START },
      maxCount,
      filter,
    );
  }
  if (fromPosition === undefined) return collect(client, { direction: BACKWARDS, fromPosition: END }, maxCount, filter);
  const start = toEsdbPosition(fromPosition);
  const atStart = (await collect(client, { direction: FORWARDS, fromPosition: start, maxCount: 1 }, 1, filter)).filter(
    (event) => event.position === fromPosition,
  );
  const before = await collect(
    client,
    { direction: BACKWARDS, fromPosition: start },
    maxCount - atStart.length,
    filter,
  );
  return [...atStart, ...before];
}

/**
 * The v6 client has no server-side filter for reads and returns system events, so the read streams
 * on and is filtered here until `maxCount` events are kept, then cancelled. The stream is pulled
 * with back-pressure, so a sparse filter costs time, not memory.
 */
async function collect(
  client: EventStoreDBClient,
  options: EsdbReadAllOptions,
  maxCount: number,
  filter: NormalizedFilter | undefined,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (maxCount <= 0) return events;
  const read = client.readAll(options);
  try {
    for await (const resolved of read) {
      const event = toRecordedEvent(resolved);
      if (!event || isSystemEvent(event) || !matchesFilter(event, filter)) continue;
      events.push(event);
      if (events.length >= maxCount) break;
    }
  } catch (error) {
    throw translateEsdbError(error);
  } finally {
    await read.cancel();
  }
  return events;
}
