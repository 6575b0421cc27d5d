import type { RecordedEvent } from '@herald/core';
import type { NormalizedFilter } from '../event-filter';
import type { ReadRange } from './read-all';
import type { RecentRead } from './recent-events';
import { toRecordedEvents } from './event-rows';
import { PulledSubscription } from '../pulled-subscription';

/** Wakes the subscriptions waiting in this process when this process appends. */
export class AppendSignal {
  private readonly waiters = new Set<() => void>();

  wait(waiter: () => void): () => void {
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  notify(): void {
    for (const waiter of this.waiters) waiter();
  }
}

export interface SqliteSubscriptionSource {
  readRange: ReadRange;
  headPosition: () => number | null;
  /**
   * The same read from this process's recent events (`RecentEvents.readAfter`), when they cover it;
   * absent when this subscription must always read the file.
   */
  readRecent?: (afterPosition: number, maxCount: number, filter: NormalizedFilter | undefined) => RecentRead | undefined;
  signal: AppendSignal;
  pollIntervalMs: number;
}

/**
 * A pull-based catch-up subscription: every `next()` reads at most one batch after the last
 * delivered position, and reads nothing until it is called, so a slow consumer holds no buffer.
 * A live subscription finds what this process just appended in its recent events; behind them, or
 * after another process wrote to the file, it reads the file. With nothing new, it waits for an
 * append in this process (the signal) or the next poll, which picks up appends by other processes.
 */
export class SqliteSubscription extends PulledSubscription {
  private lastPosition: number;
  private closed = false;
  private stopWaiting: (() => void) | undefined;

  constructor(
    private readonly source: SqliteSubscriptionSource,
    afterPosition: number,
    private readonly filter: NormalizedFilter | undefined,
    private readonly maxBatchSize: number,
    private readonly onClose: (subscription: SqliteSubscription) => void,
  ) {
    super();
    this.lastPosition = afterPosition;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaiting?.();
    this.onClose(this);
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent[]>> {
    while (!this.closed) {
      const batch = this.readBatch();
      if (batch.length > 0) return { done: false, value: batch };
      await this.waitForAppend();
    }
    return { done: true, value: undefined };
  }

  /**
   * Reads up to the head seen at the start. Every position at or below a visible head is committed
   * (appends take the write lock in turn and allocate increasing positions), so when the batch is
   * not full the subscription can move past the head even if the filter matched nothing there.
   */
  private readBatch(): RecordedEvent[] {
    const recent = this.source.readRecent?.(this.lastPosition, this.maxBatchSize, this.filter);
    if (recent) {
      this.lastPosition = recent.through;
      return toRecordedEvents(recent.rows);
    }
    const head = this.source.headPosition();
    if (head === null || head <= this.lastPosition) return [];
    const batch = this.source.readRange(this.lastPosition + 1, head, 'forwards', this.maxBatchSize, this.filter);
    this.lastPosition = batch.length === this.maxBatchSize ? batch[batch.length - 1].position : head;
    return batch;
  }

  private waitForAppend(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        stopListening();
        this.stopWaiting = undefined;
        resolve();
      };
      const timer = setTimeout(wake, this.source.pollIntervalMs);
      const stopListening = this.source.signal.wait(wake);
      this.stopWaiting = wake;
    });
  }
}
