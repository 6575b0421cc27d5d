import type { Clock } from '@herald/core';
import { type HttpClient, type HttpResponse, UpstreamRejected } from '@herald/http-client';
import { AccessTokenExpired, CredentialsRejected, UpstreamRateLimited } from '../../domain/plugin-errors';
import type { FetchObserver } from '../../domain/plugin';

/** Fitbit counts requests per user and app; its window resets at the top of the hour. */
const FALLBACK_RESET_SECONDS = 3600;

/** The user did not grant the scope a resource needs (Fitbit: 403 `insufficient_scope` / `insufficient_permissions`). */
export class ScopeNotGranted extends Error {
  constructor() {
    super('the user did not grant the scope this data needs');
    this.name = 'ScopeNotGranted';
  }
}

/** `errors[].errorType` of a Fitbit error body (matched on, never the message: it embeds token fragments). */
export function fitbitErrorTypes(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((error) => (error as { errorType?: unknown } | null)?.errorType).filter((type): type is string => typeof type === 'string');
}

/**
 * GETs against the Fitbit Web API with a user's bearer token. Refusals become the pipeline's
 * errors, and every answer's `Fitbit-Rate-Limit-*` headers are reported as the user's quota.
 */
export class FitbitApi {
  constructor(
    private readonly http: HttpClient,
    private readonly clock: Clock,
  ) {}

  async get(path: string, accessToken: string, observer?: FetchObserver): Promise<unknown> {
    const response = await this.http.request<unknown>({
      path,
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      acceptStatuses: [401, 403, 429],
    });
    this.reportQuota(response, observer);
    if (response.status === 401) {
      const types = fitbitErrorTypes(response.data);
      if (types.includes('expired_token')) throw new AccessTokenExpired();
      throw new CredentialsRejected(types[0] ?? 'unauthorized');
    }
    if (response.status === 403) {
      const types = fitbitErrorTypes(response.data);
      if (types.some((type) => type === 'insufficient_scope' || type === 'insufficient_permissions')) throw new ScopeNotGranted();
      throw new UpstreamRejected(`fitbit answered GET ${path} with 403.`, 'fitbit', 403, null);
    }
    if (response.status === 429) throw new UpstreamRateLimited(this.resetAt(response.headers, 'retry-after'));
    return response.data;
  }

  private reportQuota(response: HttpResponse, observer: FetchObserver | undefined): void {
    const limit = Number(response.headers['fitbit-rate-limit-limit']);
    const remaining = Number(response.headers['fitbit-rate-limit-remaining']);
    if (!observer || !Number.isFinite(limit) || !Number.isFinite(remaining)) return;
    observer.quota({ limit, remaining, resetAt: this.resetAt(response.headers) });
  }

  /** When the window refills: `Fitbit-Rate-Limit-Reset` (seconds from now), else `Retry-After`, else an hour. */
  private resetAt(headers: Record<string, string>, fallbackHeader?: string): string {
    const seconds = [headers['fitbit-rate-limit-reset'], fallbackHeader ? headers[fallbackHeader] : undefined]
      .map((value) => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : NaN))
      .find((value) => Number.isFinite(value));
    return new Date(this.clock.now().getTime() + (seconds ?? FALLBACK_RESET_SECONDS) * 1000).toISOString();
  }
}
