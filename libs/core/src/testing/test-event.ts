import { randomUUID } from 'node:crypto';
import type { EventData, EventMetadata, NewEvent } from '../event';

/** A well-formed event for tests: a fresh uuid, and metadata a feature would give it unless overridden. */
export function testEvent(type = 'ThingHappened', data: EventData = {}, metadata: Partial<EventMetadata> = {}): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      source: 'system',
      correlationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      ...metadata,
    },
  };
}
