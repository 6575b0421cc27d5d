import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type HttpClient, HttpClientFactory, UpstreamMalformed, UpstreamRejected, UpstreamUnavailable } from '@herald/http-client';
import { type DiscordGuildSummary, SignInFailed } from '../domain/discord-sign-in';
import { isUserId } from '../domain/ids';

/** The user behind a Discord access token, as much as sign-in needs. */
export interface DiscordUser {
  id: string;
  /** `global_name` when set, else the username. */
  displayName: string;
}

/** Refusals of the token endpoint (a used, expired or foreign code; a wrong client) come back as answers. */
const TOKEN_REFUSALS = [400, 401, 403] as const;

/**
 * Discord's side of "Sign in with Discord": the OAuth2 token endpoint (`DISCORD_OAUTH_TOKEN_URL`)
 * and the user's own routes on the API (`DISCORD_API_URL`, v10) with the access token. Failures
 * are `SignInFailed`: `discord_refused` when Discord rejected the code or the token,
 * `discord_unavailable` for 5xx, timeouts and answers that are not what Discord sends.
 */
@Injectable()
export class DiscordOAuthClient {
  private readonly tokenEndpoint: HttpClient;
  private readonly api: HttpClient;
  private readonly tokenPath: string;

  constructor(factory: HttpClientFactory, @Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {
    const tokenUrl = new URL(config.web.discordTokenUrl);
    this.tokenPath = tokenUrl.pathname;
    // A code is spent by the request that reaches Discord: a retry after a lost answer would only be refused.
    this.tokenEndpoint = factory.create({ upstream: 'discord-oauth', baseUrl: tokenUrl.origin, timeoutMs: 10_000, retry: { maxRetries: 0 } });
    this.api = factory.create({ upstream: 'discord', baseUrl: config.upstreams.discord, timeoutMs: 10_000, retry: { maxRetries: 2, baseDelayMs: 100 } });
  }

  /** Exchanges the authorization code for an access token (client credentials in the form, as Discord documents). */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const { discordClientId, discordClientSecret } = this.config.web;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: discordClientId ?? '',
      client_secret: discordClientSecret ?? '',
    });
    const response = await failingAsSignIn(() =>
      this.tokenEndpoint.request<Record<string, unknown>>({
        method: 'POST',
        path: this.tokenPath,
        body: form,
        headers: { Accept: 'application/json' },
        acceptStatuses: TOKEN_REFUSALS,
      }),
    );
    if (response.status >= 300) throw new SignInFailed('discord_refused', `Discord refused the authorization code (HTTP ${response.status})`);
    const accessToken = response.data?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new SignInFailed('discord_unavailable', 'Discord answered the code exchange without an access token');
    }
    return accessToken;
  }

  async currentUser(accessToken: string): Promise<DiscordUser> {
    const user = await this.get<Record<string, unknown>>('/v10/users/@me', accessToken);
    const { id, username, global_name: globalName } = user ?? {};
    if (!isUserId(id) || typeof username !== 'string') throw new SignInFailed('discord_unavailable', 'Discord answered /users/@me without a usable user');
    return { id, displayName: typeof globalName === 'string' && globalName !== '' ? globalName : username };
  }

  /** The guilds the user is in, with their permissions there (Discord sends up to 200, which is the most a user can join). */
  async currentUserGuilds(accessToken: string): Promise<DiscordGuildSummary[]> {
    const guilds = await this.get<unknown>('/v10/users/@me/guilds', accessToken);
    if (!Array.isArray(guilds)) throw new SignInFailed('discord_unavailable', 'Discord answered /users/@me/guilds without a list');
    return guilds.filter(isGuildSummary).map(({ id, name, owner, permissions }) => ({ id, name, owner, permissions }));
  }

  private async get<T>(path: string, accessToken: string): Promise<T> {
    const response = await failingAsSignIn(() => this.api.request<T>({ path, headers: { Authorization: `Bearer ${accessToken}` } }));
    return response.data;
  }
}

/** Maps the HTTP client's failures to the sign-in's named errors. */
async function failingAsSignIn<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamRejected) throw new SignInFailed('discord_refused', error.message);
    if (error instanceof UpstreamUnavailable || error instanceof UpstreamMalformed) throw new SignInFailed('discord_unavailable', error.message);
    throw error;
  }
}

function isGuildSummary(value: unknown): value is DiscordGuildSummary {
  const guild = value as Partial<DiscordGuildSummary> | null;
  return (
    typeof guild?.id === 'string' &&
    typeof guild.name === 'string' &&
    typeof guild.owner === 'boolean' &&
    typeof guild.permissions === 'string'
  );
}
