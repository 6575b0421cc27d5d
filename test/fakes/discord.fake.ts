import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, jsonResponse, listenOnLoopback, readBody, send, type FakeResponse } from './loopback-server';

/**
 * A fake of the Discord HTTP API (v10) for the routes Herald uses: guild, roles, one member, member
 * role add/remove, and interaction replies. State is an in-memory map guild → roles and members;
 * switches answer 403/50013, 404/10011 and 429 on demand. Point discord.js's REST at `apiUrl`.
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

// A typical @everyone bitfield: view, send, read history, connect, speak… (no Administrator, no Manage Guild).
const EVERYONE_PERMISSIONS = '1071698660929';
const OWNER_ID = '100000000000000001';
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export class DiscordFake {
  readonly requests: DiscordFakeRequest[] = [];
  readonly apiUrl: string;
  private readonly guilds = new Map<string, GuildState>();
  private rateLimit = { remaining: 0, retryAfterSeconds: 0 };
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

  /** Forgets requests and pending rate limits; guilds, roles and members stay. */
  reset(): void {
    this.requests.length = 0;
    this.rateLimit = { remaining: 0, retryAfterSeconds: 0 };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', this.url).pathname;
    const rawBody = await readBody(request);
    const record: DiscordFakeRequest = { method, path, at, status: 0 };
    const reason = auditLogReason(request.headers);
    if (reason !== undefined) record.reason = reason;
    if (rawBody !== '') record.body = parsedBody(rawBody);
    const answer = this.decide(method, path, request.headers.authorization, record.body);
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
