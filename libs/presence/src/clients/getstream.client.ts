import { Inject, Injectable } from '@nestjs/common';
import { sign } from 'jsonwebtoken';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type HttpClient, HttpClientFactory, retryAfterMs } from '@herald/http-client';

/** Stream takes at most this many users per partial update. */
export const MAX_USERS_PER_UPDATE = 100;
/** A 429 that names no wait is waited out this long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

export interface VisibilityUpdate {
  userId: string;
  invisible: boolean;
}

export type VisibilityOutcome =
  | { userId: string; invisible: boolean; outcome: 'mirrored' }
  | { userId: string; invisible: boolean; outcome: 'failed'; status: number | null; detail: string };

export type VisibilityResult =
  | { kind: 'answered'; outcomes: VisibilityOutcome[] }
  /** Stream's rate limit: nothing was applied; try the same again after the wait. */
  | { kind: 'rate_limited'; retryAfterMs: number };

/**
 * Stream Chat's server-side API, as the presence mirror needs it: the partial update of users
 * (`PATCH /users`) setting `invisible`, authenticated with a server token (HS256 over
 * `{"server": true}` with the app secret, sent raw with `Stream-Auth-Type: jwt`) and the API key in
 * the query. Only configured when both the key and the secret are set.
 */
@Injectable()
export class GetStreamClient {
  readonly configured: boolean;
  private readonly http: HttpClient;
  private readonly apiKey: string;
  private readonly serverToken: string;

  constructor(factory: HttpClientFactory, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    const { apiKey, apiSecret } = config.presence.getstream;
    this.configured = apiKey !== undefined && apiSecret !== undefined;
    this.apiKey = apiKey ?? '';
    // Stream's server tokens carry nothing but `server: true`: no expiry, no issued-at.
    this.serverToken = apiSecret === undefined ? '' : sign({ server: true }, apiSecret, { algorithm: 'HS256', noTimestamp: true });
    this.http = factory.create({
      upstream: 'getstream',
      baseUrl: config.upstreams.getstream,
      timeoutMs: 10_000,
      limits: { concurrency: 2 },
      headers: { Accept: 'application/json', 'X-Stream-Client': 'herald-presence-mirror' },
    });
  }

  /** Sets `invisible` on up to 100 users in one partial update. */
  async setVisibility(updates: readonly VisibilityUpdate[]): Promise<VisibilityResult> {
    if (!this.configured) throw new Error('GetStream is not configured');
    if (updates.length === 0 || updates.length > MAX_USERS_PER_UPDATE) {
      throw new RangeError(`a partial update takes 1 to ${MAX_USERS_PER_UPDATE} users`);
    }
    const response = await this.http.request<unknown>({
      method: 'PATCH',
      path: '/users',
      query: { api_key: this.apiKey },
      headers: { Authorization: this.serverToken, 'Stream-Auth-Type': 'jwt' },
      body: { users: updates.map(({ userId, invisible }) => ({ id: userId, set: { invisible } })) },
      // Both are answered here: a 429 is waited out by the mirror, a refusal is recorded per user.
      acceptStatuses: [400, 401, 403, 404, 409, 413, 422, 429],
    });
    if (response.status === 429) {
      return { kind: 'rate_limited', retryAfterMs: rateLimitWait(response.headers, response.data) };
    }
    if (response.status >= 400) {
      const detail = `GetStream refused the update (${response.status}): ${errorMessage(response.data)}`;
      return { kind: 'answered', outcomes: updates.map((update) => ({ ...update, outcome: 'failed', status: response.status, detail })) };
    }
    const users = isObject(response.data) && isObject(response.data.users) ? response.data.users : {};
    return { kind: 'answered', outcomes: updates.map((update) => outcomeOf(update, users[update.userId])) };
  }
}

/** Stream answers with every updated user; one missing, or not showing the new value, did not take it. */
function outcomeOf(update: VisibilityUpdate, user: unknown): VisibilityOutcome {
  if (isObject(user) && user.invisible === update.invisible) return { ...update, outcome: 'mirrored' };
  const detail = isObject(user) ? 'GetStream answered with a different invisible value' : 'GetStream left the user out of its answer';
  return { ...update, outcome: 'failed', status: null, detail };
}

/** Retry-After when given, else the end of the window (`X-Ratelimit-Reset`, Unix seconds). */
function rateLimitWait(headers: Record<string, string>, body: unknown): number {
  const asked = retryAfterMs(headers, body, 'seconds');
  if (asked !== undefined) return asked;
  const reset = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - Date.now());
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

/** Stream's error bodies carry `message`; edge throttling may answer with text. Never more than a line of it. */
function errorMessage(body: unknown): string {
  const message = isObject(body) && typeof body.message === 'string' ? body.message : typeof body === 'string' ? body : 'no message';
  return message.slice(0, 200);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
