import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, jsonResponse, listenOnLoopback, readBody, send, type FakeResponse } from './loopback-server';

/**
 * A fake of the Discord HTTP API (v10) for the routes Herald uses: guild, roles, one member, member
 * role add/remove, and interaction replies. State is an in-memory map guild → roles and members;
 * switches answer 403/50013, 404/10011 and 429 on demand. Point discord.js's REST at `apiUrl`.
 *
 * Also Discord's OAuth2 for "Sign in with Discord", laid out as discord.com: the browser's
 * authorize page at `<url>/oauth2/authorize` (`oauthAuthorizeUrl`), the token endpoint at
 * `<apiUrl>/oauth2/token` (`oauthTokenUrl`), and `/users/@me` and `/users/@me/guilds` with the
 * access token. The test says who signs in next (`nextSignIn`), and whether they refuse.
 */

export interface DiscordFakeRole {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string, as Discord sends it. */
  permissions: string;
  position?: number;
}

export interface DiscordFakeRequest {
  method: string;
  path: string;
  at: number;
  status: number;
  /** X-Audit-Log-Reason, URI-decoded (discord.js encodes it). */
  reason?: string;
  /** Parsed JSON body, when the request had one (interaction replies). */
  body?: unknown;
}

interface RoleObject {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  icon: null;
  unicode_emoji: null;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
  flags: number;
}

interface GuildState {
  id: string;
  name: string;
  roles: Map<string, RoleObject>;
  members: Map<string, { roles: string[]; joinedAt: string }>;
  /** Roles that sit above the bot's highest role: changing them is refused. */
  deniedRoles: Set<string>;
}

type RouteHandler = (params: string[], body: unknown) => FakeResponse;

interface Route {
  pattern: RegExp;
  /** Interaction callbacks and webhooks authenticate by the token in the path, not by the bot token. */
  needsBotToken: boolean;
  handlers: Partial<Record<string, RouteHandler>>;
}

/** A guild as `GET /users/@me/guilds` lists it for the signed-in user. */
export interface DiscordFakeUserGuild {
  id: string;
  name: string;
  owner?: boolean;
  /** The user's permissions there, a decimal bitfield string (default: none of note). */
  permissions?: string;
}

/** Who signs in on the fake's authorize page, and what they do there. */
export interface DiscordFakeSignIn {
  user: { id: string; username: string; global_name?: string | null };
  guilds?: DiscordFakeUserGuild[];
  /** The user presses Cancel instead of Authorize. */
  refuse?: boolean;
}

/** The OAuth2 application the fake knows (Herald's DISCORD_CLIENT_ID / DISCORD_CLIENT_SECRET). */
export const FAKE_DISCORD_APP = { clientId: '1300000000000000001', clientSecret: 'fake-discord-client-secret-0123456789abcdef' } as const;

/** The OAuth2 routes whose next answers a test can replace with an error status. */
export type DiscordOAuthRoute = 'token' | 'me' | 'guilds';

/** Permission bits as Discord sends them, for `DiscordFakeUserGuild.permissions`. */
export const DISCORD_PERMISSIONS = { administrator: String(0x8), manageGuild: String(0x20), none: '0' } as const;

interface OAuthGrant {
  signIn: DiscordFakeSignIn;
  redirectUri: string;
  used: boolean;
}

// A typical @everyone bitfield: view, send, read history, connect, speak… (no Administrator, no Manage Guild).
const EVERYONE_PERMISSIONS = '1071698660929';
const OWNER_ID = '100000000000000001';
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export class DiscordFake {
  readonly requests: DiscordFakeRequest[] = [];
  readonly apiUrl: string;
  readonly oauthAuthorizeUrl: string;
  readonly oauthTokenUrl: string;
  /** Every authorization code, access token and refresh token the OAuth2 routes handed out. */
  readonly issuedOAuthSecrets: string[] = [];
  private readonly guilds = new Map<string, GuildState>();
  private rateLimit = { remaining: 0, retryAfterSeconds: 0 };
  private nextSignInAs: DiscordFakeSignIn | null = null;
  private readonly codes = new Map<string, OAuthGrant>();
  private readonly accessTokens = new Map<string, DiscordFakeSignIn>();
  private readonly oauthFailures: Record<DiscordOAuthRoute, number[]> = { token: [], me: [], guilds: [] };
  private readonly routes: Route[] = [
    { pattern: /^\/api\/v10\/guilds\/([^/]+)$/, needsBotToken: true, handlers: { GET: ([g]) => this.getGuild(g) } },
    { pattern: /^\/api\/v10\/guilds\/([^/]+)\/roles$/, needsBotToken: true, handlers: { GET: ([g]) => this.getRoles(g) } },
    {
      pattern: /^\/api\/v10\/guilds\/([^/]+)\/members\/([^/]+)$/,
      needsBotToken: true,
      handlers: { GET: ([g, u]) => this.getMember(g, u) },
    },
    {
      pattern: /^\/api\/v10\/guilds\/([^/]+)\/members\/([^/]+)\/roles\/([^/]+)$/,
      needsBotToken: true,
      handlers: {
        PUT: ([g, u, r]) => this.changeMemberRole(g, u, r, 'add'),
        DELETE: ([g, u, r]) => this.changeMemberRole(g, u, r, 'remove'),
      },
    },
    {
      pattern: /^\/api\/v10\/interactions\/([^/]+)\/([^/]+)\/callback$/,
      needsBotToken: false,
      handlers: { POST: () => ({ status: 204, headers: {}, body: '' }) },
    },
    {
      pattern: /^\/api\/v10\/webhooks\/([^/]+)\/([^/]+)\/messages\/@original$/,
      needsBotToken: false,
      handlers: { PATCH: ([applicationId], body) => this.editOriginalReply(applicationId, body) },
    },
  ];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly token: string,
  ) {
    this.apiUrl = `${url}/api`;
    this.oauthAuthorizeUrl = `${url}/oauth2/authorize`;
    this.oauthTokenUrl = `${this.apiUrl}/oauth2/token`;
  }

  static async start(options: { token?: string } = {}): Promise<DiscordFake> {
    let fake: DiscordFake | undefined;
    const server = createServer((request, response) => void fake?.handle(request, response));
    fake = new DiscordFake(server, await listenOnLoopback(server), options.token ?? 'test-bot-token');
    return fake;
  }

  stop(): Promise<void> {
    return closeNow(this.server);
  }

  /** Registers (or replaces) a guild; an @everyone role (id = guild id) is added unless `roles` has one. */
  addGuild(guildId: string, guild: { name?: string; roles?: DiscordFakeRole[] } = {}): void {
    const roles = new Map<string, RoleObject>();
    if (!guild.roles?.some((role) => role.id === guildId)) {
      roles.set(guildId, roleObject({ id: guildId, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0 }));
    }
    guild.roles?.forEach((role, index) => roles.set(role.id, roleObject({ ...role, position: role.position ?? index + 1 })));
    this.guilds.set(guildId, { id: guildId, name: guild.name ?? `Guild ${guildId}`, roles, members: new Map(), deniedRoles: new Set() });
  }

  /** Adds the member, or replaces their roles (keeping when they joined). */
  setMember(guildId: string, userId: string, roleIds: string[]): void {
    const members = this.knownGuild(guildId).members;
    const joinedAt = members.get(userId)?.joinedAt ?? discordTimestamp(new Date());
    members.set(userId, { roles: [...new Set(roleIds)], joinedAt });
  }

  memberRoles(guildId: string, userId: string): string[] {
    const member = this.knownGuild(guildId).members.get(userId);
    if (!member) throw new Error(`DiscordFake: no member ${userId} in guild ${guildId}; call setMember first`);
    return [...member.roles];
  }

  /** Deletes the role from the guild and from every member, as Discord does. */
  deleteRole(guildId: string, roleId: string): void {
    const guild = this.knownGuild(guildId);
    guild.roles.delete(roleId);
    for (const member of guild.members.values()) member.roles = member.roles.filter((id) => id !== roleId);
  }

  /** Puts the role above the bot's highest role: adding or removing it answers 403 with code 50013. */
  denyRole(guildId: string, roleId: string): void {
    this.knownGuild(guildId).deniedRoles.add(roleId);
  }

  /** The next `count` requests, whatever the route, answer 429 asking to retry after `retryAfterSeconds` (fractions allowed). */
  rateLimitNext(count: number, retryAfterSeconds: number): void {
    this.rateLimit = { remaining: count, retryAfterSeconds };
  }

  count(filter: { method?: string; pathIncludes?: string } = {}): number {
    return this.requests.filter(
      (request) =>
        (filter.method === undefined || request.method === filter.method.toUpperCase()) &&
        (filter.pathIncludes === undefined || request.path.includes(filter.pathIncludes)),
    ).length;
  }

  /** Who signs in at the next authorize request (until then, the authorize page answers 400). */
  nextSignIn(signIn: DiscordFakeSignIn): void {
    this.nextSignInAs = signIn;
  }

  /** The next requests to the route answer these statuses instead (5xx: Discord having trouble). */
  failOAuth(route: DiscordOAuthRoute, ...statuses: number[]): void {
    this.oauthFailures[route].push(...statuses);
  }

  /** Forgets requests and pending rate limits; guilds, roles and members stay. */
  reset(): void {
    this.requests.length = 0;
    this.rateLimit = { remaining: 0, retryAfterSeconds: 0 };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.url);
    const path = url.pathname;
    const rawBody = await readBody(request);
    const record: DiscordFakeRequest = { method, path, at, status: 0 };
    const reason = auditLogReason(request.headers);
    if (reason !== undefined) record.reason = reason;
    if (rawBody !== '') record.body = parsedBody(rawBody);
    const answer = this.oauth(method, url, request.headers, rawBody) ?? this.decide(method, path, request.headers.authorization, record.body);
    record.status = answer.status;
    this.requests.push(record);
    send(response, answer);
  }

  private decide(method: string, path: string, authorization: string | undefined, body: unknown): FakeResponse {
    if (this.rateLimit.remaining > 0) {
      this.rateLimit.remaining -= 1;
      return rateLimited(this.rateLimit.retryAfterSeconds);
    }
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.needsBotToken && authorization !== `Bot ${this.token}`) return discordError(401, 0, '401: Unauthorized');
      const handler = route.handlers[method];
      return handler ? handler(match.slice(1), body) : discordError(405, 0, '405: Method Not Allowed');
    }
    return discordError(404, 0, '404: Not Found');
  }

  /** The OAuth2 routes, or null for any other request. */
  private oauth(method: string, url: URL, headers: IncomingHttpHeaders, rawBody: string): FakeResponse | null {
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /oauth2/authorize') return this.authorize(url.searchParams);
    if (route === 'POST /api/oauth2/token') return this.failure('token') ?? this.exchangeCode(headers, new URLSearchParams(rawBody));
    if (route === 'GET /api/v10/users/@me') return this.failure('me') ?? this.withAccessToken(headers, (signIn) => jsonResponse(200, userObject(signIn)));
    if (route === 'GET /api/v10/users/@me/guilds') {
      return this.failure('guilds') ?? this.withAccessToken(headers, (signIn) => jsonResponse(200, (signIn.guilds ?? []).map(userGuildObject)));
    }
    return null;
  }

  /** The browser at Discord's authorize page: back to `redirect_uri` with a code, or with `error=access_denied`. */
  private authorize(query: URLSearchParams): FakeResponse {
    const problems = [
      query.get('client_id') !== FAKE_DISCORD_APP.clientId && 'unknown client_id',
      query.get('response_type') !== 'code' && 'response_type must be code',
      !(query.get('scope') ?? '').split(' ').includes('identify') && 'scope must include identify',
      !query.get('redirect_uri') && 'redirect_uri is missing',
      this.nextSignInAs === null && 'the test did not say who signs in (nextSignIn)',
    ].filter((problem): problem is string => typeof problem === 'string');
    if (problems.length > 0) return { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Invalid OAuth2 request: ${problems.join('; ')}` };
    const signIn = this.nextSignInAs!;
    this.nextSignInAs = null;
    const back = new URL(query.get('redirect_uri')!);
    if (signIn.refuse) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
    } else {
      const code = this.secret();
      this.codes.set(code, { signIn, redirectUri: query.get('redirect_uri')!, used: false });
      back.searchParams.set('code', code);
    }
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return { status: 302, headers: { Location: back.toString() }, body: '' };
  }

  /** Client credentials in the form or as HTTP Basic, as Discord takes them; a code works once, for its redirect_uri. */
  private exchangeCode(headers: IncomingHttpHeaders, form: URLSearchParams): FakeResponse {
    const basic = /^Basic (.+)$/.exec(headers.authorization ?? '')?.[1];
    const [clientId, clientSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [form.get('client_id'), form.get('client_secret')];
    if (clientId !== FAKE_DISCORD_APP.clientId || clientSecret !== FAKE_DISCORD_APP.clientSecret) return jsonResponse(401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'authorization_code') return jsonResponse(400, { error: 'unsupported_grant_type' });
    const grant = this.codes.get(form.get('code') ?? '');
    if (!grant || grant.used || grant.redirectUri !== form.get('redirect_uri')) {
      return jsonResponse(400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
    }
    grant.used = true;
    const accessToken = this.secret();
    this.accessTokens.set(accessToken, grant.signIn);
    return jsonResponse(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 604800, refresh_token: this.secret(), scope: 'identify guilds' });
  }

  private withAccessToken(headers: IncomingHttpHeaders, answer: (signIn: DiscordFakeSignIn) => FakeResponse): FakeResponse {
    const signIn = this.accessTokens.get(/^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? '');
    return signIn ? answer(signIn) : discordError(401, 0, '401: Unauthorized');
  }

  private failure(route: DiscordOAuthRoute): FakeResponse | null {
    const status = this.oauthFailures[route].shift();
    return status === undefined ? null : jsonResponse(status, { message: `${status}: injected failure`, code: 0 });
  }

  private secret(): string {
    const secret = randomBytes(20).toString('base64url');
    this.issuedOAuthSecrets.push(secret);
    return secret;
  }

  private getGuild(guildId: string): FakeResponse {
    const guild = this.guilds.get(guildId);
    if (!guild) return unknownGuild();
    return jsonResponse(200, {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: OWNER_ID,
      roles: [...guild.roles.values()],
      emojis: [],
      features: [],
    });
  }

  private getRoles(guildId: string): FakeResponse {
    const guild = this.guilds.get(guildId);
    return guild ? jsonResponse(200, [...guild.roles.values()]) : unknownGuild();
  }

  private getMember(guildId: string, userId: string): FakeResponse {
    const guild = this.guilds.get(guildId);
    if (!guild) return unknownGuild();
    const member = guild.members.get(userId);
    if (!member) return discordError(404, 10007, 'Unknown Member');
    return jsonResponse(200, {
      user: { id: userId, username: `user_${userId}`, global_name: null, avatar: null, discriminator: '0' },
      nick: null,
      avatar: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
    });
  }

  private changeMemberRole(guildId: string, userId: string, roleId: string, change: 'add' | 'remove'): FakeResponse {
    const guild = this.guilds.get(guildId);
    if (!guild) return unknownGuild();
    const member = guild.members.get(userId);
    if (!member) return discordError(404, 10007, 'Unknown Member');
    if (!guild.roles.has(roleId)) return discordError(404, 10011, 'Unknown Role');
    if (guild.deniedRoles.has(roleId)) return discordError(403, 50013, 'Missing Permissions');
    const others = member.roles.filter((id) => id !== roleId);
    member.roles = change === 'add' ? [...others, roleId] : others;
    return { status: 204, headers: {}, body: '' };
  }

  private editOriginalReply(applicationId: string, body: unknown): FakeResponse {
    return jsonResponse(200, {
      id: snowflakeAt(Date.now()),
      type: 0,
      application_id: applicationId,
      webhook_id: applicationId,
      author: { id: applicationId, username: 'Herald', global_name: null, avatar: null, discriminator: '0', bot: true },
      content: '',
      embeds: [],
      components: [],
      timestamp: discordTimestamp(new Date()),
      ...(typeof body === 'object' && body !== null ? body : {}),
    });
  }

  private knownGuild(guildId: string): GuildState {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`DiscordFake: no guild ${guildId}; call addGuild first`);
    return guild;
  }
}

function roleObject(role: DiscordFakeRole & { position: number }): RoleObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

function userObject({ user }: DiscordFakeSignIn) {
  return { id: user.id, username: user.username, global_name: user.global_name ?? null, avatar: null, discriminator: '0', public_flags: 0, flags: 0, locale: 'en-US', mfa_enabled: false };
}

function userGuildObject(guild: DiscordFakeUserGuild) {
  return { id: guild.id, name: guild.name, icon: null, banner: null, owner: guild.owner ?? false, permissions: guild.permissions ?? '0', features: [] };
}

function discordError(status: number, code: number, message: string): FakeResponse {
  return jsonResponse(status, { message, code });
}

function unknownGuild(): FakeResponse {
  return discordError(404, 10004, 'Unknown Guild');
}

/** A per-route (not global) 429 with the body and headers Discord sends; discord.js waits `Retry-After` seconds. */
function rateLimited(retryAfterSeconds: number): FakeResponse {
  const resetAt = Date.now() / 1000 + retryAfterSeconds;
  return jsonResponse(
    429,
    { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
    {
      'Retry-After': String(retryAfterSeconds),
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': resetAt.toFixed(3),
      'X-RateLimit-Reset-After': retryAfterSeconds.toFixed(3),
      'X-RateLimit-Bucket': 'f4k3bucket0000000000000000000000',
      'X-RateLimit-Scope': 'user',
    },
  );
}

function auditLogReason(headers: IncomingHttpHeaders): string | undefined {
  const reason = headers['x-audit-log-reason'];
  if (typeof reason !== 'string') return undefined;
  try {
    return decodeURIComponent(reason);
  } catch {
    return reason;
  }
}

function parsedBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Discord's timestamp form: microseconds and an explicit offset. */
function discordTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '000+00:00');
}

function snowflakeAt(epochMs: number): string {
  return String((BigInt(epochMs) - DISCORD_EPOCH_MS) << 22n);
}
