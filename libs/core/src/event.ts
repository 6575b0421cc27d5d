/** Who or what caused an event (DESIGN.md, event log rules). */
export type EventSource = 'discord' | 'rest' | 'scheduler' | 'cli' | 'system';

export const EVENT_SOURCES: readonly EventSource[] = ['discord', 'rest', 'scheduler', 'cli', 'system'];

export interface EventMetadata {
  guildId?: string;
  userId?: string;
  actorId?: string;
  source: EventSource;
  correlationId: string;
  causationId?: string;
  /** ISO-8601 UTC time at which the fact happened. */
  occurredAt: string;
  schemaVersion: number;
}

/** A JSON-serialisable payload. */
export type EventData = Record<string, unknown>;

/** An event about to be appended. `id` is a uuid; derive it from the command id for retry-safe commands. */
export interface NewEvent<Type extends string = string, Data extends EventData = EventData> {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

/**
 * An event as stored in the log.
 * `revision` is 0-based within its stream; `position` is its place in the global log: strictly
 * increasing but not contiguous (EventStoreDB positions are byte offsets), so never subtract two
 * positions to count events. Both stay far below 2^53, so they are plain numbers.
 */
export interface RecordedEvent<Type extends string = string, Data extends EventData = EventData>
  extends NewEvent<Type, Data> {
  streamId: string;
  revision: number;
  position: number;
}
