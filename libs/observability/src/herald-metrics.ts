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

  readonly presenceSockets = new Gauge({
    name: 'herald_presence_sockets',
    help: 'Presence WebSockets open in this process, authenticated',
    registers: [this.registry],
  });

  readonly presenceSocketsClosed = new Counter({
    name: 'herald_presence_sockets_closed_total',
    help: 'Presence WebSockets Herald closed, by close code (4401 bad token, 4403 no user, 1013 too slow, 1001 shutdown)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly presenceMessagesSent = new Counter({
    name: 'herald_presence_messages_sent_total',
    help: 'Presence updates sent to followers over WebSockets',
    registers: [this.registry],
  });

  readonly presenceHeartbeats = new Counter({
    name: 'herald_presence_heartbeats_total',
    help: 'Presence heartbeats accepted, by transport (rest or socket); none of them is an event',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly presenceChanges = new Counter({
    name: 'herald_presence_changes_total',
    help: 'Presence changes this process recorded, by reason (manual, connect, disconnect, timeout)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly getstreamMirror = new Counter({
    name: 'herald_getstream_mirror_total',
    help: 'Users whose visibility the GetStream mirror sent, by outcome (mirrored, failed, rate_limited)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly importSyncs = new Counter({
    name: 'herald_import_syncs_total',
    help: 'Data-import syncs, by plugin, trigger (scheduled, manual) and outcome (ok, partial, error, rate_limited, reconnect_needed)',
    labelNames: ['plugin', 'trigger', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly importTokenRefreshes = new Counter({
    name: 'herald_import_token_refreshes_total',
    help: 'OAuth token refreshes of data-import plugins, by plugin and outcome (refreshed, rejected, failed)',
    labelNames: ['plugin', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly importRoundSeconds = new Histogram({
    name: 'herald_import_round_duration_seconds',
    help: 'Time for one scheduled round to sync every due integration',
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900],
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
