import { streamCategory } from '@herald/core';
import type { EventStore } from '@herald/eventstore';
import type { HeraldMetrics } from './herald-metrics';

/** Wraps an event store so every successful append is counted and timed. */
export function instrumentEventStore(store: EventStore, metrics: HeraldMetrics): EventStore {
  return {
    async append(streamId, events, options) {
      const stopTimer = metrics.appendSeconds.startTimer();
      const result = await store.append(streamId, events, options);
      stopTimer();
      const category = streamCategory(streamId);
      for (const event of events) metrics.eventsAppended.inc({ category, type: event.type });
      return result;
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    scanAll: (options) => store.scanAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    deleteStream: (streamId) => store.deleteStream(streamId),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
