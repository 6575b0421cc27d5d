import { setTimeout as sleep } from 'node:timers/promises';
import {
  START,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
} from '@eventstore/db-client';
import type { RecordedEvent } from '@herald/core';
import { EventStoreUnavailable } from '../errors';
import { matchesFilter, type NormalizedFilter } from '../event-filter';
import { isTransientEsdbError, translateEsdbError } from './esdb-errors';
import { isSystemEvent, toRecordedEvent } from './esdb-events';
import { toEsdbPosition } from './read-all';
import { PulledSubscription } from '../pulled-subscription';

/** Resubscription back-off after a dropped subscription: 100 ms doubling to 5 s, then give up. */
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5_000;
const MAX_CONSECUTIVE_FAILURES = 10;

/** The server filters on one condition only: stream prefixes when given, else the exact types. */
function toServerFilter(filter: NormalizedFilter | undefined): Filter {
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.eventTypes) {
    const alternatives = filter.eventTypes.map((type) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    return eventTypeFilter({ regex: `^(?:${alternatives})$` });
  }
  return excludeSystemEvents();
}

interface LiveSubscription {
  subscription: AllStreamSubscription;
  events: AsyncIterator<AllStreamResolvedEvent>;
}

/**
 * A catch-up subscription to `$all` read with `for await` semantics: the client's stream buffers at
 * most about one batch (its high-water mark), so gRPC flow control holds the server back while the
 * consumer does not pull. A batch is the first event to arrive plus whatever is already buffered.
 * When the server drops the subscription, it resubscribes after the last delivered position.
 */
export class EsdbSubscription extends PulledSubscription {
  private lastPosition: number | undefined;
  private live: LiveSubscription | undefined;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly closedSignal: Promise<'closed'>;

  constructor(
    private readonly client: EventStoreDBClient,
    afterPosition: number | undefined,
    private readonly filter: NormalizedFilter | undefined,
    private readonly maxBatchSize: number,
    private readonly onClose: (subscription: EsdbSubscription) => void,
  ) {
    super();
    // Position 0 holds no user event (the log opens with system records), so 0 also means "the start".
    this.lastPosition = afterPosition || undefined;
    this.closedSignal = new Promise((resolve) =>
      this.closing.signal.addEventListener('abort', () => resolve('closed')),
    );
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.drop();
    this.onClose(this);
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent[]>> {
    let failures = 0;
    while (!this.closed) {
      let failure: unknown;
      try {
        const batch = await this.readBatch();
        if (batch.length > 0) {
          this.lastPosition = batch[batch.length - 1].position;
          return { done: false, value: batch };
        }
      } catch (error) {
        failure = error;
      }
      if (this.closed) break;
      // Ended or failed: start again after the last delivered event, after a pause.
      this.drop();
      if (failure !== undefined && !isTransientEsdbError(failure)) throw translateEsdbError(failure);
      failures += 1;
      if (failures >= MAX_CONSECUTIVE_FAILURES) {
        throw new EventStoreUnavailable(`EventStoreDB subscription dropped ${failures} times in a row`, {
          cause: failure,
        });
      }
      const delay = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (failures - 1));
      await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
    return { done: true, value: undefined };
  }

  /** Resolves with a non-empty batch, or `[]` when the stream ended or the subscription was closed. */
  private async readBatch(): Promise<RecordedEvent[]> {
    const live = (this.live ??= this.subscribe());
    const batch: RecordedEvent[] = [];
    try {
      while (batch.length === 0) {
        const first = await Promise.race([live.events.next(), this.closedSignal]);
        if (first === 'closed' || first.done) return batch;
        this.keep(first.value, batch);
        while (batch.length < this.maxBatchSize && live.subscription.readableLength > 0) {
          const buffered = await live.events.next();
          if (buffered.done) return batch;
          this.keep(buffered.value, batch);
        }
      }
      return batch;
    } catch (error) {
      // Deliver what arrived before the failure; the next pull resubscribes after it.
      if (batch.length > 0) {
        this.drop();
        return batch;
      }
      throw error;
    }
  }

  private keep(resolved: AllStreamResolvedEvent, batch: RecordedEvent[]): void {
    const event = toRecordedEvent(resolved);
    if (event && !isSystemEvent(event) && matchesFilter(event, this.filter)) batch.push(event);
  }

  private subscribe(): LiveSubscription {
    const subscription = this.client.subscribeToAll(
      {
        fromPosition: this.lastPosition !== undefined ? toEsdbPosition(this.lastPosition) : START,
        filter: toServerFilter(this.filter),
      },
      { highWaterMark: this.maxBatchSize },
    );
    return { subscription, events: subscription[Symbol.asyncIterator]() };
  }

  private drop(): void {
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    live.subscription.unsubscribe().catch(() => undefined);
    live.subscription.destroy();
  }
}
