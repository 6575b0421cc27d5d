import { Injectable, Logger } from '@nestjs/common';
import { HeraldMetrics } from '@herald/observability';
import { HttpClient, type HttpClientOptions } from './http-client';

/** Builds upstream clients that count their requests in `herald_upstream_requests_total` and log their retries. */
@Injectable()
export class HttpClientFactory {
  constructor(private readonly metrics: HeraldMetrics) {}

  create(options: Omit<HttpClientOptions, 'log'>): HttpClient {
    const logger = new Logger(`Upstream:${options.upstream}`);
    return new HttpClient({
      ...options,
      log: { warn: (message) => logger.warn(message) },
      onAttempt: (attempt) => {
        this.metrics.upstreamRequests.inc({ upstream: attempt.upstream, status: String(attempt.status) });
        options.onAttempt?.(attempt);
      },
    });
  }
}
