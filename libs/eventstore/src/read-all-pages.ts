import type { RecordedEvent } from '@herald/core';
import type { EventFilter, EventStore } from './event-store.port';

export interface ReadAllPagesOptions {
  /** Start after this position (exclusive). Absent: from the start (forwards) or the end (backwards). */
  afterPosition?: number;
  direction?: 'forwards' | 'backwards';
  filter?: EventFilter;
  pageSize?: number;
}

/**
 * The global log in pages, to its end. Each page resumes from the last position read (reads are
 * inclusive) and drops that event, never from `position ± 1`: EventStoreDB positions are byte
 * offsets, and a position between two events is not one it accepts.
 */
export async function* readAllPages(store: EventStore, options: ReadAllPagesOptions = {}): AsyncGenerator<RecordedEvent[]> {
  const direction = options.direction ?? 'forwards';
  const pageSize = options.pageSize ?? 1000;
  let after = options.afterPosition;
  for (;;) {
    const read = await store.readAll({ fromPosition: after, direction, filter: options.filter, maxCount: pageSize + 1 });
    const page = after === undefined ? read.slice(0, pageSize) : read.filter((event) => event.position !== after).slice(0, pageSize);
    if (page.length > 0) yield page;
    if (read.length < pageSize + 1 || page.length === 0) return;
    after = page[page.length - 1].position;
  }
}
