/**
 * When to retry an upstream request and how long to wait: exponential backoff with full jitter,
 * unless the upstream said how long (`Retry-After` header in seconds or as an HTTP date, or a JSON
 * `retry_after`). Pure, so the rules are tested with tables.
 */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longer hints than this end the retries: the caller decides what to do with such a wait. */
  maxRetryAfterMs: number;
  /** Unit of a JSON body's `retry_after` (Discord: seconds; PluralKit: milliseconds). */
  retryAfterBodyUnit: 'seconds' | 'milliseconds';
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  retryAfterBodyUnit: 'seconds',
};

/** Statuses worth another attempt: rate limited, and the server-side failures that pass. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Full jitter: a uniform wait in [0, min(max, base·2^attempt)], so synchronized clients spread out. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait an answer asks for, in ms, or `undefined` when it names none. The header wins over the
 * body; a date in the past means "now".
 */
export function retryAfterMs(
  headers: Record<string, string | undefined>,
  body: unknown,
  bodyUnit: RetryPolicy['retryAfterBodyUnit'],
  now: number = Date.now(),
): number | undefined {
  const header = headers['retry-after']?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return Math.ceil(Number(header) * 1000);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const hint = (body as { retry_after?: unknown } | null)?.retry_after;
  if (typeof hint === 'number' && Number.isFinite(hint) && hint >= 0) {
    return Math.ceil(bodyUnit === 'seconds' ? hint * 1000 : hint);
  }
  return undefined;
}
