import type { RecordedEvent } from '@herald/core';
import type { EventSubscription } from './event-store.port';

/**
 * What every adapter's subscription shares: it is its own async iterator, its pulls run one after
 * another even when a caller does not await the previous one, and `return()` (a `break` out of
 * `for await`) closes it.
 */
export abstract class PulledSubscription implements EventSubscription, AsyncIterator<RecordedEvent[]> {
  private previousPull: Promise<unknown> = Promise.resolve();

  protected abstract pull(): Promise<IteratorResult<RecordedEvent[]>>;
  abstract close(): Promise<void>;

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent[]> {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent[]>> {
    const pull = this.previousPull.then(() => this.pull());
    this.previousPull = pull.catch(() => undefined);
    return pull;
  }

  async return(): Promise<IteratorResult<RecordedEvent[]>> {
    await this.close();
    return { done: true, value: undefined };
  }
}
