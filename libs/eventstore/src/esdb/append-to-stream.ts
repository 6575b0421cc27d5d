import type { EventStoreDBClient } from '@eventstore/db-client';
import type { NewEvent } from '@herald/core';
import type { AppendResult, ExpectedRevision } from '../event-store.port';
import { translateEsdbError } from './esdb-errors';
import { toEsdbEvent, toEsdbExpectedRevision, toRecordedEvent } from './esdb-events';

/**
 * Appends through the server's own optimistic check. Idempotent retries are native: the server
 * drops events whose ids already stand at that place and answers with the original revision.
 * The position it reports is the event's own for a one-event append; for longer appends, or an
 * idempotent answer without a position, the last event is read back so the result always names the
 * position of the append's last event, the same as the embedded store.
 */
export async function appendToStream(
  client: EventStoreDBClient,
  streamId: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): Promise<AppendResult> {
  try {
    const result = await client.appendToStream(streamId, events.map(toEsdbEvent), {
      expectedRevision: toEsdbExpectedRevision(expectedRevision),
    });
    const position =
      events.length === 1 && result.position
        ? Number(result.position.commit)
        : await positionOfRevision(client, streamId, result.nextExpectedRevision);
    return { nextExpectedRevision: Number(result.nextExpectedRevision), position };
  } catch (error) {
    throw translateEsdbError(error, { streamId, expectedRevision });
  }
}

async function positionOfRevision(client: EventStoreDBClient, streamId: string, revision: bigint): Promise<number> {
  for await (const resolved of client.readStream(streamId, { fromRevision: revision, maxCount: 1 })) {
    const event = toRecordedEvent(resolved);
    if (event) return event.position;
  }
  throw new Error(`EventStoreDB acknowledged revision ${revision} of ${streamId} but does not return it`);
}
