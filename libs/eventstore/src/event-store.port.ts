import type { NewEvent, RecordedEvent } from '@herald/core';

/** Nest injection token for the configured `EventStore` adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * The optimistic-concurrency check of an append, with EventStoreDB's meanings:
 * `no_stream` (no event yet), `stream_exists` (at least one event), `any` (no check),
 * or the 0-based revision of the stream's last event.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as `expectedRevision` next time. */
  nextExpectedRevision: number;
  /** Global position of the last event of this append. */
  position: number;
}

/** Which events a global read or subscription returns. Both lists empty or absent: every event. */
export interface EventFilter {
  /** Stream-name prefixes, e.g. `guild-`, `guildmember-123_`. */
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export interface ReadStreamOptions {
  /** Inclusive, 0-based. Forwards default: 0; backwards default: the last event. */
  fromRevision?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive: the first event returned may sit at exactly this position. Default: the start. */
  fromPosition?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
  filter?: EventFilter;
}

export interface ScanAllOptions {
  /** Exclusive, as for subscriptions. Absent: from the start. */
  afterPosition?: number;
  filter?: EventFilter;
  /** Most events per page (default 1000). */
  pageSize?: number;
}

export interface SubscribeOptions {
  /** Exclusive: delivery starts with the first event after this position. Absent or 0: from the start. */
  afterPosition?: number;
  filter?: EventFilter;
  /** Most events per delivered batch (default 500). */
  maxBatchSize?: number;
}

/**
 * A catch-up subscription: it delivers stored events after its start, then live ones, in global
 * order, in batches. It is pulled (`for await`): the next batch is read only when the consumer
 * asks for it, so a slow consumer slows the subscription down instead of buffering without bound.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent[]> {
  /** Ends the iteration; a pending `next()` resolves as done. */
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends events atomically (all or none). Throws `WrongExpectedRevision` on a concurrency
   * mismatch, `StreamDeleted` after `deleteStream`. Re-appending events whose ids already stand in
   * the stream at that place is a no-op returning the original result (idempotent retries); with
   * `any` / `stream_exists`, "that place" is wherever the first id already stands.
   * At least one event, each with a uuid id; anything else is refused with a `RangeError`.
   */
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** A missing or deleted stream reads as `[]`. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the global log in order (default page size 1000). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Every matching event after `afterPosition` up to the head of the log as it was when the scan
   * began, forwards, in pages: for rebuilds and exports. Adapters may read ahead while the caller
   * works on a page (SQLite does, on a worker thread, for long scans).
   */
  scanAll(options?: ScanAllOptions): AsyncIterable<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): EventSubscription;
  /** Position of the newest event in the log, or `null` when the log is empty. */
  headPosition(): Promise<number | null>;
  /**
   * Hard delete: the events are gone and the stream name cannot be appended to again. Deleting a
   * deleted or never-written stream succeeds and leaves the name dead too. EventStoreDB removes the
   * events from the stream at once but from the global log only at its next scavenge.
   */
  deleteStream(streamId: string): Promise<void>;
  /** Throws when the store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
