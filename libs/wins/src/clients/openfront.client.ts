import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type HttpClient, HttpClientFactory, UpstreamMalformed } from '@herald/http-client';
import type { PlayerProfile, PlayerSession } from '../domain/openfront';

/** More pages than any real history has: a cursor loop on the upstream's side ends here. */
const MAX_SESSION_PAGES = 1_000;

/**
 * The public OpenFront API, as the wins feature needs it. Unknown players are `null`, not errors;
 * transient trouble (429, 5xx, timeouts, challenge pages) is retried by the HTTP client and ends
 * as `UpstreamUnavailable`.
 */
@Injectable()
export class OpenFrontClient {
  private readonly http: HttpClient;

  constructor(factory: HttpClientFactory, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    this.http = factory.create({
      upstream: 'openfront',
      baseUrl: config.upstreams.openfront,
      timeoutMs: 10_000,
      limits: { concurrency: config.wins.openfrontConcurrency, requestsPerSecond: config.wins.openfrontRequestsPerSecond },
      retry: { baseDelayMs: config.wins.openfrontRetryBaseDelayMs },
      headers: { Accept: 'application/json', 'User-Agent': 'Herald (self-hosted status sync; wins)' },
    });
  }

  /** `GET /public/player/:id`; `null` when the player is unknown (404). */
  async player(playerId: string): Promise<PlayerProfile | null> {
    const response = await this.http.request<unknown>({
      path: `/public/player/${encodeURIComponent(playerId)}`,
      acceptStatuses: [404],
    });
    if (response.status === 404) return null;
    if (!isObject(response.data)) throw this.malformed('player profile is not an object');
    return response.data as PlayerProfile;
  }

  /**
   * Every session of a player, whichever form the deployment answers with (a bare array, or
   * `{ results, nextCursor }` pages, all followed). `null` on a 404: an unknown player, or on a
   * legacy deployment a known player without sessions (the caller tells them apart).
   */
  async sessions(playerId: string, filter: { type?: 'public' } = {}): Promise<PlayerSession[] | null> {
    const sessions: PlayerSession[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SESSION_PAGES; page++) {
      const response = await this.http.request<unknown>({
        path: `/public/player/${encodeURIComponent(playerId)}/sessions`,
        query: { ...filter, cursor },
        acceptStatuses: [404],
      });
      if (response.status === 404) return page === 0 ? null : sessions;
      const body = response.data;
      if (Array.isArray(body)) return body.filter(isSession);
      if (!isObject(body) || !Array.isArray(body.results)) throw this.malformed('sessions are neither a list nor a page');
      sessions.push(...body.results.filter(isSession));
      if (body.nextCursor === null || body.nextCursor === undefined || body.nextCursor === '') return sessions;
      if (typeof body.nextCursor !== 'string' || body.nextCursor === cursor) throw this.malformed('sessions page has a bad nextCursor');
      cursor = body.nextCursor;
    }
    throw this.malformed(`sessions ran past ${MAX_SESSION_PAGES} pages`);
  }

  private malformed(what: string): UpstreamMalformed {
    return new UpstreamMalformed(`OpenFront answered malformed data: ${what}.`, 'openfront');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rows without the two fields every form has are skipped, not fatal. */
function isSession(value: unknown): value is PlayerSession {
  return isObject(value) && typeof value.gameId === 'string' && typeof value.hasWon === 'boolean';
}
