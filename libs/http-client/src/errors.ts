import { HeraldError } from '@herald/core';

/** What the client knew of the upstream's last answer when it gave up. */
export interface UpstreamFailure {
  upstream: string;
  /** HTTP status of the last attempt; `null` when no response came (timeout, reset). */
  status: number | null;
  attempts: number;
  /** The wait the upstream asked for last, when it exceeded what the client is willing to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The upstream did not answer usefully within the retry budget: 429s, 5xx, timeouts, resets or
 * non-JSON pages (a Cloudflare challenge). Transient by nature: a later run may succeed.
 */
export class UpstreamUnavailable extends HeraldError {
  readonly upstream: string;
  readonly lastStatus: number | null;
  readonly attempts: number;
  readonly retryAfterMs?: number;

  constructor(detail: string, failure: UpstreamFailure) {
    super({ code: 'UPSTREAM.UNAVAILABLE', status: 503, title: 'Upstream unavailable', detail, cause: failure.cause });
    this.upstream = failure.upstream;
    this.lastStatus = failure.status;
    this.attempts = failure.attempts;
    this.retryAfterMs = failure.retryAfterMs;
  }
}

/** The upstream answered with a status the caller did not expect and that retrying cannot fix (most 4xx). */
export class UpstreamRejected extends HeraldError {
  readonly upstream: string;
  readonly upstreamStatus: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown;

  constructor(detail: string, upstream: string, upstreamStatus: number, body: unknown) {
    super({ code: 'UPSTREAM.REJECTED', status: 502, title: 'Upstream rejected the request', detail });
    this.upstream = upstream;
    this.upstreamStatus = upstreamStatus;
    this.body = body;
  }
}

/** A 2xx answer whose body is not the JSON it should be, even after retrying. */
export class UpstreamMalformed extends HeraldError {
  readonly upstream: string;

  constructor(detail: string, upstream: string) {
    super({ code: 'UPSTREAM.MALFORMED', status: 502, title: 'Upstream answered malformed data', detail });
    this.upstream = upstream;
  }
}
