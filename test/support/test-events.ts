import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent } from '@herald/core';

/** A well-formed event as a feature would append it (tests write features' events straight to the log). */
export function testEvent(type: string, data: Record<string, unknown>, metadata: Partial<EventMetadata> = {}): NewEvent {
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
