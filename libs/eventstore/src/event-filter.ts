import type { RecordedEvent } from '@herald/core';
import type { EventFilter } from './event-store.port';

/** A filter with its empty lists removed; `undefined` when it lets every event through. */
export interface NormalizedFilter {
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export function normalizeFilter(filter: EventFilter | undefined): NormalizedFilter | undefined {
  // An empty prefix matches every stream, so it makes the whole prefix condition void.
  const prefixes =
    filter?.streamPrefixes?.length && !filter.streamPrefixes.includes('')
      ? [...new Set(filter.streamPrefixes)]
      : undefined;
  const types = filter?.eventTypes?.length ? [...new Set(filter.eventTypes)] : undefined;
  if (!prefixes && !types) return undefined;
  return { streamPrefixes: prefixes, eventTypes: types };
}

/** Stream prefixes are OR-ed, event types are OR-ed, and the two conditions are AND-ed. */
export function matchesFilter(
  event: Pick<RecordedEvent, 'streamId' | 'type'>,
  filter: NormalizedFilter | undefined,
): boolean {
  return matchesStreamAndType(event.streamId, event.type, filter);
}

/** `matchesFilter` for an event not built yet (a stored row). */
export function matchesStreamAndType(streamId: string, type: string, filter: NormalizedFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => streamId.startsWith(prefix))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(type)) return false;
  return true;
}
