import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Herald's Prometheus metrics, in one registry served at `GET /metrics`. */
@Injectable()
export class HeraldMetrics {
  readonly registry = new Registry();

  readonly eventsAppended = new Counter({
    name: 'herald_events_appended_total',
    help: 'Events appended to the log, by stream category and event type',
    labelNames: ['category', 'type'] as const,
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'herald_append_duration_seconds',
    help: 'Time to append one batch of events to the log',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly upstreamRequests = new Counter({
    name: 'herald_upstream_requests_total',
    help: 'Requests to upstream APIs, by upstream and HTTP status (or "error" when no response came)',
    labelNames: ['upstream', 'status'] as const,
    registers: [this.registry],
  });

  /** PluralKit asks API clients to watch their limits: counted by status only, never by user or token. */
  readonly pluralKitRequests = new Counter({
    name: 'pluralkit_api_requests_total',
    help: 'Requests to the PluralKit API, by HTTP status (or "error" when no response came)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly pluralKitRateLimitRemaining = new Gauge({
    name: 'pluralkit_api_ratelimit_remaining',
    help: 'X-RateLimit-Remaining of the last PluralKit answer, by X-RateLimit-Scope',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
  }

  /** Adds a gauge whose value is computed when Prometheus scrapes. */
  gauge<Label extends string>(
    name: string,
    help: string,
    labelNames: readonly Label[],
    collect: (gauge: Gauge<Label>) => Promise<void>,
  ): void {
    new Gauge<Label>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }
}
