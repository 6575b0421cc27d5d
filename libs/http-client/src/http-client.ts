import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import Bottleneck from 'bottleneck';
import { UpstreamMalformed, UpstreamRejected, UpstreamUnavailable } from './errors';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  retryAfterMs,
  type RetryPolicy,
} from './retry-policy';

/** Client-side limits for one upstream (or one key of it, e.g. one user's token). */
export interface RequestLimits {
  /** Requests in flight at once. */
  concurrency: number;
  /** Evenly spaced starts; omitted: no rate limit. */
  requestsPerSecond?: number;
}

/** What the client reports about each attempt, for metrics and rate-limit gauges. */
export interface UpstreamAttempt {
  upstream: string;
  method: string;
  /** HTTP status, or `'error'` when no response came. */
  status: number | 'error';
  durationMs: number;
  headers: Record<string, string>;
}

export interface UpstreamLog {
  warn(message: string): void;
}

export interface HttpClientOptions {
  /** Short name of the upstream, used in metrics, logs and error messages (`openfront`). */
  upstream: string;
  baseUrl: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Limits for requests without a `limitKey`, and the default for each key. */
  limits?: RequestLimits;
  /** Limits for a given `limitKey` (e.g. reads and writes of one token); falls back to `limits`. */
  limitsFor?: (limitKey: string) => RequestLimits;
  headers?: Record<string, string>;
  onAttempt?: (attempt: UpstreamAttempt) => void;
  log?: UpstreamLog;
  /** Test seams. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON, or as `application/x-www-form-urlencoded` when a `URLSearchParams`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses the caller handles itself: returned, not thrown (e.g. 404 = unknown player). */
  acceptStatuses?: readonly number[];
  /** Requests sharing a key share limits and pauses (one per token, say). */
  limitKey?: string;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Parsed JSON; `undefined` for an empty body; the raw text for a non-JSON error body. */
  data: T;
  headers: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_LIMITS: RequestLimits = { concurrency: 4 };
const NO_KEY = '';
/**
 * A key's limiter state is dropped once nothing has used it for this long (or for its own pacing
 * interval, if longer): keys are per token, and tokens come and go for as long as the server runs.
 */
const IDLE_GATE_MS = 10 * 60_000;

/** One key's limits: its limiter, the end of a pause an upstream asked for, and what still uses it. */
interface Gate {
  limiter: Bottleneck;
  minTimeMs: number;
  pausedUntil: number;
  inFlight: number;
  lastUsed: number;
}

/**
 * An upstream HTTP client on axios: per-attempt timeouts, client-side concurrency and rate limits,
 * retries with full-jitter backoff that honour `Retry-After` / `retry_after` (a 429 pauses every
 * request of the same key, not only the one that got it), and answers that are not JSON (a
 * Cloudflare challenge page) treated as transient rather than parsed.
 */
export class HttpClient {
  readonly upstream: string;
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly gates = new Map<string, Gate>();
  private lastSweep: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.upstream = options.upstream;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      headers: options.headers,
      // Status and body are judged here, not by axios: a 429 or an HTML page is an answer to read.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
    });
  }

  /** How many limit keys hold limiter state now (idle ones are dropped). */
  get limitKeyCount(): number {
    return this.gates.size;
  }

  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const gate = this.gate(request.limitKey ?? NO_KEY);
    gate.inFlight += 1;
    try {
      return await this.requestThrough<T>(gate, request);
    } finally {
      gate.inFlight -= 1;
      gate.lastUsed = this.now();
    }
  }

  private async requestThrough<T>(gate: Gate, request: HttpRequest): Promise<HttpResponse<T>> {
    let lastStatus: number | null = null;
    let lastCause: unknown;
    for (let attempt = 0; ; attempt++) {
      const outcome = await gate.limiter.schedule(async () => {
        const wait = gate.pausedUntil - this.now();
        if (wait > 0) await this.sleep(wait);
        return this.attempt(request);
      });
      if (outcome.kind === 'done') return outcome.response as HttpResponse<T>;
      if (outcome.kind === 'rejected') throw outcome.error;

      lastStatus = outcome.status;
      lastCause = outcome.cause;
      const asked = outcome.retryAfterMs;
      if (asked !== undefined && asked > this.policy.maxRetryAfterMs) {
        throw this.unavailable(request, { status: lastStatus, attempts: attempt + 1, retryAfterMs: asked, cause: lastCause });
      }
      if (attempt >= this.policy.maxRetries) {
        if (outcome.kind === 'malformed') {
          throw new UpstreamMalformed(`${this.upstream} answered ${describe(request)} with a body that is not JSON.`, this.upstream);
        }
        throw this.unavailable(request, { status: lastStatus, attempts: attempt + 1, cause: lastCause });
      }
      const delay = asked ?? backoffDelay(this.policy, attempt, this.random);
      if (asked !== undefined) gate.pausedUntil = Math.max(gate.pausedUntil, this.now() + asked);
      this.options.log?.warn(
        `${this.upstream} ${describe(request)}: ${outcome.reason}; retry ${attempt + 1}/${this.policy.maxRetries} in ${delay} ms`,
      );
      if (asked === undefined) await this.sleep(delay);
    }
  }

  private async attempt(request: HttpRequest): Promise<AttemptOutcome> {
    const method = request.method ?? 'GET';
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method,
        url: request.path,
        params: request.query,
        data: encodeBody(request.body),
        headers: { ...request.headers, ...contentType(request.body) },
      });
    } catch (error) {
      this.report(method, 'error', started, {});
      return { kind: 'retry', status: null, reason: networkReason(error), cause: error };
    }
    const headers = lowerCaseHeaders(response.headers);
    this.report(method, response.status, started, headers);
    const parsed = parseBody(response.data, headers['content-type']);
    const status = response.status;

    if (status >= 200 && status < 300) {
      if (parsed.kind === 'text') return { kind: 'malformed', status, reason: 'body is not JSON' };
      return { kind: 'done', response: { status, data: parsed.value, headers } };
    }
    if (request.acceptStatuses?.includes(status)) {
      return { kind: 'done', response: { status, data: parsed.value, headers } };
    }
    // A 403 HTML page instead of JSON is a proxy's challenge in front of the API (Cloudflare), not its answer.
    if (isRetryableStatus(status) || (status === 403 && parsed.kind === 'text' && isHtml(headers, response.data))) {
      return {
        kind: 'retry',
        status,
        reason: `answered ${status}${parsed.kind === 'text' ? ' (not JSON)' : ''}`,
        retryAfterMs: retryAfterMs(headers, parsed.kind === 'json' ? parsed.value : null, this.policy.retryAfterBodyUnit),
      };
    }
    return {
      kind: 'rejected',
      error: new UpstreamRejected(`${this.upstream} answered ${describe(request)} with ${status}.`, this.upstream, status, parsed.value),
    };
  }

  private gate(key: string): Gate {
    const now = this.now();
    if (now - this.lastSweep >= IDLE_GATE_MS) this.dropIdleGates(now);
    let gate = this.gates.get(key);
    if (!gate) {
      const limits = (key !== NO_KEY && this.options.limitsFor?.(key)) || this.options.limits || DEFAULT_LIMITS;
      const minTimeMs = limits.requestsPerSecond ? Math.ceil(1000 / limits.requestsPerSecond) : 0;
      gate = {
        limiter: new Bottleneck({ maxConcurrent: limits.concurrency, minTime: minTimeMs }),
        minTimeMs,
        pausedUntil: 0,
        inFlight: 0,
        lastUsed: now,
      };
      this.gates.set(key, gate);
    }
    return gate;
  }

  /** A gate still in use, paused, or within its pacing interval keeps what it owes the upstream. */
  private dropIdleGates(now: number): void {
    this.lastSweep = now;
    for (const [key, gate] of this.gates) {
      const idle = gate.inFlight === 0 && now >= gate.pausedUntil && now - gate.lastUsed >= Math.max(IDLE_GATE_MS, gate.minTimeMs);
      if (idle) this.gates.delete(key);
    }
  }

  private report(method: string, status: number | 'error', started: number, headers: Record<string, string>): void {
    this.options.onAttempt?.({ upstream: this.upstream, method, status, durationMs: Date.now() - started, headers });
  }

  private unavailable(request: HttpRequest, failure: Omit<ConstructorParameters<typeof UpstreamUnavailable>[1], 'upstream'>) {
    const last = failure.status === null ? 'no answer' : `status ${failure.status}`;
    const detail =
      failure.retryAfterMs !== undefined
        ? `${this.upstream} asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s before ${describe(request)}.`
        : `${this.upstream} did not answer ${describe(request)} after ${failure.attempts} attempts (${last}).`;
    return new UpstreamUnavailable(detail, { upstream: this.upstream, ...failure });
  }
}

type AttemptOutcome =
  | { kind: 'done'; response: HttpResponse }
  | { kind: 'rejected'; error: UpstreamRejected }
  | { kind: 'retry'; status: number | null; reason: string; retryAfterMs?: number; cause?: unknown }
  | { kind: 'malformed'; status: number; reason: string; retryAfterMs?: undefined; cause?: undefined };

type ParsedBody = { kind: 'json'; value: unknown } | { kind: 'text'; value: string };

function parseBody(text: string | undefined, contentType: string | undefined): ParsedBody {
  if (text === undefined || text === '') return { kind: 'json', value: undefined };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch {
    return { kind: 'text', value: contentType?.includes('json') ? text.slice(0, 200) : text.slice(0, 2000) };
  }
}

function isHtml(headers: Record<string, string>, body: string): boolean {
  return (headers['content-type'] ?? '').includes('text/html') || /^\s*<(!doctype|html)/i.test(body);
}

function encodeBody(body: unknown): unknown {
  if (body === undefined) return undefined;
  return body instanceof URLSearchParams ? body.toString() : JSON.stringify(body);
}

function contentType(body: unknown): Record<string, string> {
  if (body === undefined) return {};
  return {
    'Content-Type': body instanceof URLSearchParams ? 'application/x-www-form-urlencoded' : 'application/json',
  };
}

function lowerCaseHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

function networkReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'timed out';
  return `no answer (${code ?? 'network error'})`;
}

/** Method and path only: queries and bodies can hold codes and tokens. */
function describe(request: HttpRequest): string {
  return `${request.method ?? 'GET'} ${request.path}`;
}
