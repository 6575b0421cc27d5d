import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@herald/core';
import { type HttpClient, HttpClientFactory, UpstreamMalformed } from '@herald/http-client';
import type { OAuthConfig, PluginCredentials } from '../domain/plugin';

/** The app's identity at the token endpoint. */
export interface OAuthClient {
  clientId: string;
  clientSecret?: string;
}

/** A token endpoint's answer: new credentials, or its refusal as it came (for the plugin to read). */
export type TokenOutcome = { ok: true; credentials: PluginCredentials } | { ok: false; status: number; body: unknown };

/** Refusals come back as answers; anything else (5xx, timeouts) is thrown by the HTTP client. */
const REFUSALS = [400, 401, 403] as const;

/**
 * An RFC 6749 token endpoint: form-encoded grants, HTTP Basic client authentication when the app
 * has a secret. Never retried: a refresh token is spent by the request that reaches the server,
 * so a retry after a lost answer would only be refused.
 */
@Injectable()
export class OAuth2TokenClient {
  private readonly clients = new Map<string, HttpClient>();

  constructor(
    private readonly factory: HttpClientFactory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  exchangeCode(upstream: string, config: OAuthConfig, code: string, verifier: string): Promise<TokenOutcome> {
    const grant = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: config.redirectUri,
      client_id: config.clientId,
    });
    return this.request(upstream, config.tokenUrl, grant, config, null);
  }

  refresh(upstream: string, tokenUrl: string, client: OAuthClient, credentials: PluginCredentials): Promise<TokenOutcome> {
    const grant = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken });
    if (client.clientSecret === undefined) grant.set('client_id', client.clientId);
    return this.request(upstream, tokenUrl, grant, client, credentials);
  }

  /** RFC 7009 revocation of a token (the provider revokes the whole grant with it). */
  async revoke(upstream: string, revokeUrl: string, client: OAuthClient, token: string): Promise<void> {
    const url = new URL(revokeUrl);
    const body = new URLSearchParams({ token });
    if (client.clientSecret === undefined) body.set('client_id', client.clientId);
    await this.client(upstream, url.origin).request({ method: 'POST', path: url.pathname, body, headers: authorization(client) });
  }

  private async request(
    upstream: string,
    tokenUrl: string,
    grant: URLSearchParams,
    client: OAuthClient,
    previous: PluginCredentials | null,
  ): Promise<TokenOutcome> {
    const url = new URL(tokenUrl);
    const headers = { Accept: 'application/json', ...authorization(client) };
    const response = await this.client(upstream, url.origin).request<unknown>({
      method: 'POST',
      path: url.pathname,
      body: grant,
      headers,
      acceptStatuses: REFUSALS,
    });
    if (response.status >= 300) return { ok: false, status: response.status, body: response.data };
    return { ok: true, credentials: this.credentialsFrom(upstream, response.data, previous) };
  }

  private credentialsFrom(upstream: string, body: unknown, previous: PluginCredentials | null): PluginCredentials {
    const answer = (body ?? {}) as Record<string, unknown>;
    const { access_token: accessToken, expires_in: expiresIn, token_type: tokenType, scope } = answer;
    // RFC 6749 lets a refresh answer keep the old refresh token by leaving it out.
    const refreshToken = answer.refresh_token ?? previous?.refreshToken;
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new UpstreamMalformed(`${upstream} answered the token request without usable tokens.`, upstream);
    }
    return {
      accessToken,
      refreshToken,
      expiresAt: new Date(this.clock.now().getTime() + expiresIn * 1000).toISOString(),
      tokenType: typeof tokenType === 'string' ? tokenType : 'Bearer',
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : (previous?.scopes ?? []),
    };
  }

  private client(upstream: string, origin: string): HttpClient {
    const key = `${upstream} ${origin}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.factory.create({ upstream, baseUrl: origin, timeoutMs: 15_000, retry: { maxRetries: 0 }, limits: { concurrency: 8 } });
      this.clients.set(key, client);
    }
    return client;
  }
}

/** HTTP Basic client authentication, for an app that has a secret. */
function authorization(client: OAuthClient): Record<string, string> {
  if (client.clientSecret === undefined) return {};
  return { Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` };
}
