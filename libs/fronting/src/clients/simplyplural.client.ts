import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type HttpClient, HttpClientFactory, UpstreamMalformed, UpstreamRejected } from '@herald/http-client';
import type { ObservedFronter } from '../domain/events';
import {
  fronterSetFromSimplyPlural,
  type SimplyPluralCustomFront,
  type SimplyPluralDocument,
  type SimplyPluralFrontEntry,
  type SimplyPluralMember,
} from '../domain/fronter-set';
import { tokenKey } from './token-key';

export const SIMPLYPLURAL_USER_AGENT = 'Herald (SimplyPlural to PluralKit fronting sync)';

/** Whether SimplyPlural refused the token (a 401, whose body is plain text served as `text/html`). */
export function isSimplyPluralTokenRejection(error: unknown): boolean {
  return error instanceof UpstreamRejected && error.upstreamStatus === 401;
}

/** The SimplyPlural REST API (reference/simplyplural-api.md): the raw token in `Authorization`, lists of `{exists, id, content}`. */
@Injectable()
export class SimplyPluralClient {
  /** The websocket, `/v1/socket` on the REST host, `ws`/`wss` after the REST scheme. */
  readonly socketUrl: string;
  private readonly http: HttpClient;

  constructor(factory: HttpClientFactory, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    const base = config.upstreams.simplyplural;
    this.socketUrl = `${base.replace(/^http/, 'ws')}/v1/socket`;
    this.http = factory.create({
      upstream: 'simplyplural',
      baseUrl: base,
      timeoutMs: 10_000,
      // The watcher re-reads on its own schedule after a failure, so a few quick retries are enough here.
      retry: { maxRetries: 2, baseDelayMs: config.fronting.simplyPluralRetryBaseMs },
      // Per token: SimplyPlural sets no limits, but one system's reads need not run wide.
      limitsFor: () => ({ concurrency: 2 }),
      headers: { Accept: 'application/json', 'User-Agent': SIMPLYPLURAL_USER_AGENT },
    });
  }

  /**
   * The system's live fronters, in SimplyPlural's order, each with the PluralKit id of its member.
   * Members (and custom fronts, when one fronts) are read only when someone is fronting.
   */
  async fronters(token: string): Promise<ObservedFronter[]> {
    const entries = (await this.list<SimplyPluralFrontEntry & { uid?: unknown }>(token, '/v1/fronters')).filter(
      (entry) => entry.content.live !== false,
    );
    if (entries.length === 0) return [];
    const ownedBy = entries.map((entry) => entry.content.uid).find((uid): uid is string => typeof uid === 'string');
    const systemId = ownedBy ?? (await this.systemId(token));
    const anyCustom = entries.some((entry) => entry.content.custom === true);
    const [members, customFronts] = await Promise.all([
      this.list<SimplyPluralMember>(token, `/v1/members/${encodeURIComponent(systemId)}`),
      anyCustom ? this.list<SimplyPluralCustomFront>(token, `/v1/customFronts/${encodeURIComponent(systemId)}`) : [],
    ]);
    return fronterSetFromSimplyPlural(entries, members, customFronts);
  }

  /** The token's system uid, from `GET /v1/me`. */
  async systemId(token: string): Promise<string> {
    const response = await this.http.request<unknown>({ path: '/v1/me', headers: { Authorization: token }, limitKey: tokenKey(token) });
    const me = response.data as { id?: unknown; content?: { uid?: unknown } } | undefined;
    const uid = me?.content?.uid ?? me?.id;
    if (typeof uid !== 'string' || uid === '') throw malformed('the user document has no uid');
    return uid;
  }

  private async list<Content>(token: string, path: string): Promise<SimplyPluralDocument<Content>[]> {
    const response = await this.http.request<unknown>({ path, headers: { Authorization: token }, limitKey: tokenKey(token) });
    if (!Array.isArray(response.data)) throw malformed(`${path} is not a list`);
    // Documents without an id or content cannot be matched to anything; the next read settles them.
    return response.data.filter(
      (document): document is SimplyPluralDocument<Content> =>
        typeof document === 'object' &&
        document !== null &&
        typeof (document as { id?: unknown }).id === 'string' &&
        typeof (document as { content?: unknown }).content === 'object' &&
        (document as { content?: unknown }).content !== null,
    );
  }
}

function malformed(what: string): UpstreamMalformed {
  return new UpstreamMalformed(`SimplyPlural answered malformed data: ${what}.`, 'simplyplural');
}
