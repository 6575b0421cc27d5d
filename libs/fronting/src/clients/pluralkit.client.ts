import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type HttpClient, HttpClientFactory, type HttpResponse, type UpstreamAttempt, UpstreamMalformed } from '@herald/http-client';
import { HeraldMetrics } from '@herald/observability';
import { pluralKitAuthorization } from '../domain/tokens';
import { tokenKey } from './token-key';

/** PluralKit's limits per token (reference/pluralkit-api.md): GCRA buckets of 10 reads and 3 writes a second. */
export const PLURALKIT_READS_PER_SECOND = 10;
export const PLURALKIT_WRITES_PER_SECOND = 3;

const FRONTERS_PATH = '/v2/systems/@me/fronters';
const SWITCHES_PATH = '/v2/systems/@me/switches';
const IDENTICAL_TO_CURRENT = 40004;
const MEMBER_NOT_FOUND = 20003;

/** Answers that retrying cannot change, returned as values; 5xx, timeouts and 429s are retried by the HTTP client. */
export type PluralKitRefusal =
  | { outcome: 'token_rejected' }
  | { outcome: 'refused'; status: number; code: number | null; message: string };

export type PluralKitFronters = { outcome: 'fronters'; memberIds: string[] } | PluralKitRefusal;

export type PluralKitSwitchResult =
  | { outcome: 'posted'; switchId: string; timestamp: string }
  /** 400 / 40004: the latest switch already lists exactly these members. */
  | { outcome: 'identical' }
  /** 404 / 20003: one of the ids is not a member of the system (`null` when PluralKit did not name it). */
  | { outcome: 'member_not_found'; memberId: string | null }
  | PluralKitRefusal;

interface PluralKitError {
  message?: unknown;
  code?: unknown;
}

/**
 * The PluralKit API v2, as the fronting updater needs it. Every request names Herald and its
 * operator in `User-Agent`, stays within the token's read and write limits on this side, waits
 * out a 429 for the `retry_after` milliseconds of its body, and is counted in
 * `pluralkit_api_requests_total{status}`; `X-RateLimit-Remaining` feeds `pluralkit_api_ratelimit_remaining{scope}`.
 */
@Injectable()
export class PluralKitClient {
  private readonly http: HttpClient;

  constructor(factory: HttpClientFactory, metrics: HeraldMetrics, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    this.http = factory.create({
      upstream: 'pluralkit',
      baseUrl: config.upstreams.pluralkit,
      timeoutMs: 10_000,
      retry: { retryAfterBodyUnit: 'milliseconds', baseDelayMs: config.fronting.pluralKitRetryBaseDelayMs },
      limitsFor: (key) =>
        key.endsWith(':write')
          ? { concurrency: 1, requestsPerSecond: PLURALKIT_WRITES_PER_SECOND }
          : { concurrency: 2, requestsPerSecond: PLURALKIT_READS_PER_SECOND },
      headers: { Accept: 'application/json', 'User-Agent': pluralKitUserAgent(config.publicUrl) },
      onAttempt: (attempt) => recordAttempt(metrics, attempt),
    });
  }

  /** The members of the latest switch, as short ids; none when the system never logged a switch (204). */
  async currentFronters(token: string): Promise<PluralKitFronters> {
    const response = await this.http.request<unknown>({
      path: FRONTERS_PATH,
      headers: { Authorization: pluralKitAuthorization(token) },
      acceptStatuses: [400, 401, 403, 404],
      limitKey: `${tokenKey(token)}:read`,
    });
    if (response.status === 204) return { outcome: 'fronters', memberIds: [] };
    if (response.status !== 200) return refusal(response);
    const members = (response.data as { members?: unknown } | undefined)?.members;
    if (!Array.isArray(members)) throw malformed('the fronters have no member list');
    const memberIds = members.map((member) => (member as { id?: unknown } | null)?.id);
    if (!memberIds.every((id): id is string => typeof id === 'string')) throw malformed('a fronter has no id');
    return { outcome: 'fronters', memberIds };
  }

  /** Logs a switch to exactly these members (empty: a switch-out), at PluralKit's now. */
  async postSwitch(token: string, memberIds: readonly string[]): Promise<PluralKitSwitchResult> {
    const response = await this.http.request<unknown>({
      method: 'POST',
      path: SWITCHES_PATH,
      body: { members: memberIds },
      headers: { Authorization: pluralKitAuthorization(token) },
      acceptStatuses: [400, 401, 403, 404],
      limitKey: `${tokenKey(token)}:write`,
    });
    if (response.status === 200 || response.status === 201) {
      const created = response.data as { id?: unknown; timestamp?: unknown } | undefined;
      if (typeof created?.id !== 'string' || typeof created.timestamp !== 'string') throw malformed('the new switch has no id or timestamp');
      return { outcome: 'posted', switchId: created.id, timestamp: created.timestamp };
    }
    const code = errorOf(response).code;
    if (response.status === 400 && code === IDENTICAL_TO_CURRENT) return { outcome: 'identical' };
    if (response.status === 404 && code === MEMBER_NOT_FOUND) {
      return { outcome: 'member_not_found', memberId: memberNamedIn(errorOf(response).message) };
    }
    return refusal(response);
  }
}

/** PluralKit asks every API client to name itself and a way to reach whoever runs it. */
export function pluralKitUserAgent(publicUrl: string): string {
  return `Herald (SimplyPlural to PluralKit fronting sync; operator: ${publicUrl})`;
}

function recordAttempt(metrics: HeraldMetrics, attempt: UpstreamAttempt): void {
  metrics.pluralKitRequests.inc({ status: String(attempt.status) });
  // Absent on the 401 PluralKit answers before its limiter runs.
  const remaining = Number(attempt.headers['x-ratelimit-remaining']);
  const scope = attempt.headers['x-ratelimit-scope'];
  if (scope && attempt.headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) {
    metrics.pluralKitRateLimitRemaining.set({ scope }, remaining);
  }
}

function refusal(response: HttpResponse<unknown>): PluralKitRefusal {
  if (response.status === 401) return { outcome: 'token_rejected' };
  const { code, message } = errorOf(response);
  return {
    outcome: 'refused',
    status: response.status,
    code: typeof code === 'number' ? code : null,
    // An empty 400 is what the gateway sends without a User-Agent.
    message: typeof message === 'string' ? message : `PluralKit answered ${response.status}`,
  };
}

function errorOf(response: HttpResponse<unknown>): PluralKitError {
  return typeof response.data === 'object' && response.data !== null ? (response.data as PluralKitError) : {};
}

/** `Member 'zzzzz' not found.` names the reference PluralKit could not find. */
function memberNamedIn(message: unknown): string | null {
  if (typeof message !== 'string') return null;
  return /^Member '(.+)' not found\.?$/.exec(message)?.[1] ?? null;
}

function malformed(what: string): UpstreamMalformed {
  return new UpstreamMalformed(`PluralKit answered malformed data: ${what}.`, 'pluralkit');
}
