import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import duplicateSwitchError from '../fixtures/pluralkit/error_400_duplicate_switch.json';
import unauthorizedError from '../fixtures/pluralkit/error_401.json';
import tooManyRequestsError from '../fixtures/pluralkit/error_429.json';
import fixtureFronters from '../fixtures/pluralkit/fronters.json';
import fixtureSwitchCreated from '../fixtures/pluralkit/switch_created.json';
import { countRequests } from './loopback-server';

/*
 * A fake PluralKit API v2 for tests, behaving as reference/pluralkit-api.md and the fixture README
 * describe: the gateway's checks in its order (User-Agent, route, token, rate limit), per-system
 * token buckets with X-RateLimit-* headers and 429 bodies whose `retry_after` is in milliseconds,
 * 204 fronters for a system without switches, and the switch controller's checks in its order.
 * Only the `@me` routes fronting uses are served.
 */

/** The fixtures' system short id. */
export const PLURALKIT_FIXTURE_SYSTEM_ID = 'exsys';

/** A member as its owner sees it; PluralKit always sends every field, null when unset. */
export interface PluralKitMember {
  id: string;
  uuid: string;
  system: string;
  name: string;
  display_name: string | null;
  color: string | null;
  birthday: string | null;
  pronouns: string | null;
  avatar_url: string | null;
  webhook_avatar_url: string | null;
  banner: string | null;
  description: string | null;
  created: string;
  keep_proxy: boolean;
  tts: boolean;
  autoproxy_enabled: boolean | null;
  message_count: number;
  last_message_timestamp: string | null;
  proxy_tags: { prefix: string | null; suffix: string | null }[];
  // Each value is "public" or "private"; null for someone else's member.
  privacy: Record<string, string> | null;
}

/** A member for `addSystem`/`setMembers`: a short id, or some fields with the id. */
export type PluralKitMemberSeed = string | (Partial<PluralKitMember> & { id: string });

export interface PluralKitSwitch {
  id: string;
  timestamp: string;
  /** Member short ids, in the order posted. */
  members: string[];
}

export interface PluralKitSystemSeed {
  /** Default: the fixtures' `exsys` if no other system has it, else a fresh one. */
  systemId?: string;
  /** Default: Alice (`abcde`) and Bob (`fghijk`) from the fixtures. */
  members?: PluralKitMemberSeed[];
  /** Default: the fixtures' state, one switch with Alice fronting. `[]`: a system that never logged a switch. */
  switches?: PluralKitSwitch[];
}

export interface PluralKitFakeOptions {
  /** Time the backend takes to answer a request that passed the gateway. */
  latencyMs?: number;
  writesPerSecond?: number;
  readsPerSecond?: number;
  /** Monotonic milliseconds the rate limiter refills by; tests pass their own to control time. */
  clock?: () => number;
}

export interface PluralKitLoggedRequest {
  method: string;
  path: string;
  query: string;
  /** Parsed JSON, the raw text when it does not parse, or null without a body. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** 0 while unanswered (a hanging fault). */
  status: number;
  at: number;
}

/** An injected failure, applied to requests that passed the rate limiter. */
export interface PluralKitFault {
  /** Answer with this 5xx (or any) status... */
  status?: number;
  /** ...or never answer at all, until the client gives up. */
  hang?: boolean;
  /** Only for this method; default: every method. */
  method?: string;
  /** Default: until `clearFaults()`. */
  times?: number;
}

interface FakeSystem {
  token: string;
  systemId: string;
  members: PluralKitMember[];
  /** Newest first, as PluralKit lists them. */
  switches: PluralKitSwitch[];
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

type BucketKind = 'get' | 'update';

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const API_KEY_PREFIX = 'pkapi:';
const VERSION = 'herald-fake-1';
const COMMON_HEADERS = {
  'X-PluralKit-Version': VERSION,
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': '*',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, sentry-trace, User-Agent',
  'Access-Control-Expose-Headers':
    'X-PluralKit-Version, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Scope',
  'Access-Control-Max-Age': '86400',
};
const MAX_SWITCH_LIST = 100;

export class PluralKitFake {
  /** Base for PLURALKIT_API_URL; calls go to `<url>/v2/...`. */
  readonly url: string;
  readonly requests: PluralKitLoggedRequest[] = [];
  /** 429s the clients provoked. */
  tooManyRequestsCount = 0;

  private readonly systems = new Map<string, FakeSystem>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private fault: PluralKitFault | null = null;
  private readonly limits: Record<BucketKind, number>;
  private readonly latencyMs: number;
  private readonly clock: () => number;

  private constructor(
    private readonly server: Server,
    options: PluralKitFakeOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.latencyMs = options.latencyMs ?? 0;
    this.clock = options.clock ?? (() => performance.now());
    this.limits = { get: options.readsPerSecond ?? 10, update: options.writesPerSecond ?? 3 };
    // A client that aborts mid-body makes reading it fail: drop that exchange, keep serving.
    server.on('request', (req, res) => void this.handleRequest(req, res).catch(() => res.destroy()));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: PluralKitFakeOptions = {}): Promise<PluralKitFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new PluralKitFake(server, options);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  //////// Systems ////////

  /**
   * Registers a token and its system. A legacy token is sent as it is in `Authorization`; a
   * `pkapi:` key must come as `Bearer <key>`, as PluralKit's docs require.
   */
  addSystem(token: string, seed: PluralKitSystemSeed = {}): { systemId: string } {
    if (this.systems.has(token)) throw new Error('PluralKitFake: this token already has a system');
    const taken = [...this.systems.values()].some((system) => system.systemId === PLURALKIT_FIXTURE_SYSTEM_ID);
    const systemId = seed.systemId ?? (taken ? randomShortId() : PLURALKIT_FIXTURE_SYSTEM_ID);
    const system: FakeSystem = { token, systemId, members: [], switches: [] };
    system.members = (seed.members ?? fixtureSwitchCreated.members).map((member) => fullMember(member, systemId));
    system.switches = sortNewestFirst(
      structuredClone(
        seed.switches ?? [
          { id: fixtureFronters.id, timestamp: fixtureFronters.timestamp, members: fixtureFronters.members.map((m) => m.id) },
        ],
      ),
    );
    this.systems.set(token, system);
    return { systemId };
  }

  setMembers(token: string, members: readonly PluralKitMemberSeed[]): void {
    const system = this.system(token);
    system.members = members.map((member) => fullMember(member, system.systemId));
  }

  /** Logs a switch directly in PluralKit, as the user would with `pk;switch`. */
  setFronters(token: string, memberIds: readonly string[]): void {
    const system = this.system(token);
    for (const id of memberIds) {
      if (!findMember(system, id)) throw new Error(`PluralKitFake: ${id} is not a member of this system`);
    }
    system.switches.unshift({ id: randomUUID(), timestamp: pluralKitTime(Date.now()), members: [...memberIds] });
  }

  /** The members of the latest switch, in order; null when the system never logged a switch. */
  currentFronters(token: string): string[] | null {
    const latest = this.system(token).switches[0];
    return latest ? [...latest.members] : null;
  }

  /** Every switch, newest first. */
  switchesOf(token: string): PluralKitSwitch[] {
    return structuredClone(this.system(token).switches);
  }

  //////// Faults and log ////////

  injectFault(fault: PluralKitFault): void {
    this.fault = { ...fault, times: fault.times ?? Number.POSITIVE_INFINITY };
  }

  /** Ends injected faults; requests left hanging stay so until their client gives up. */
  clearFaults(): void {
    this.fault = null;
  }

  /** How many logged requests match every criterion given (a path is exact, or a pattern). */
  count(filter: { method?: string; path?: string | RegExp; status?: number } = {}): number {
    return countRequests(this.requests, filter);
  }

  //////// HTTP ////////

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { pathname, search } = new URL(req.url ?? '/', this.url);
    const text = await readBody(req);
    const entry: PluralKitLoggedRequest = {
      method,
      path: pathname,
      query: search,
      body: parseLoggedBody(text),
      headers: req.headers,
      status: 0,
      at: Date.now(),
    };
    this.requests.push(entry);
    const reply = await this.answer(req, res, method, pathname, new URLSearchParams(search), text);
    if (reply === 'hang') return;
    entry.status = reply.status;
    if (reply.status === 429) this.tooManyRequestsCount += 1;
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...COMMON_HEADERS,
      ...(reply.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      'Content-Length': String(Buffer.byteLength(body)),
      ...reply.headers,
    });
    res.end(body);
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    text: string,
  ): Promise<Reply | 'hang'> {
    // The gateway's own checks come first, before any rate limiting.
    if (!req.headers['user-agent']) return { status: 400 };
    if (path.startsWith('/v1/')) return { status: 410, body: { message: 'Unsupported API version', code: 0 } };
    const route = matchRoute(method, path);
    if (!route) return { status: 404 };
    const system = this.authenticate(req.headers.authorization);
    if (!system) return { status: 401, body: unauthorizedError };

    const limit = this.takeFromBucket(system, route === 'fronters' || route === 'listSwitches' ? 'get' : 'update');
    if (limit.status === 429) return limit;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    const fault = this.takeFault(method);
    if (fault?.hang) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return 'hang';
    }
    if (fault) {
      const status = fault.status ?? 500;
      return { status, body: { message: `${status}: internal server error`, code: 0 }, headers: limit.headers };
    }

    const reply = this.route(system, route, query, req.headers['content-type'], text);
    return { ...reply, headers: { ...limit.headers, ...reply.headers } };
  }

  private route(
    system: FakeSystem,
    route: RouteName,
    query: URLSearchParams,
    contentType: string | undefined,
    text: string,
  ): Reply {
    switch (route) {
      case 'fronters': {
        const latest = system.switches[0];
        if (!latest) return { status: 204 };
        return { status: 200, body: { ...latest, members: latest.members.map((id) => findMember(system, id)) } };
      }
      case 'listSwitches':
        return { status: 200, body: listSwitches(system, query) };
      case 'postSwitch':
        return this.postSwitch(system, contentType, text);
    }
  }

  /** The checks of PluralKit's SwitchControllerV2, in its order. */
  private postSwitch(system: FakeSystem, contentType: string | undefined, text: string): Reply {
    if (!contentType?.toLowerCase().startsWith('application/json')) {
      return { status: 400, body: { message: '400: Bad Request', code: 0 } };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, body: { message: '400: Bad Request', code: 0 } };
    }
    const input = parseSwitchInput(body);
    if ('error' in input) return { status: 400, body: input.error };
    const { members, timestamp } = input;
    if (new Set(members).size !== members.length) {
      return { status: 400, body: { message: 'Duplicate members in member list.', code: 40003 } };
    }
    if (timestamp !== undefined && system.switches.some((existing) => Date.parse(existing.timestamp) === timestamp)) {
      return { status: 400, body: { message: 'A switch with the given timestamp already exists.', code: 40005 } };
    }
    const resolved: PluralKitMember[] = [];
    for (const ref of members) {
      const member = findMember(system, ref);
      if (!member) return { status: 404, body: { message: `Member '${ref}' not found.`, code: 20003 } };
      resolved.push(member);
    }
    const latest = system.switches[0];
    const shortIds = resolved.map((member) => member.id);
    if (
      latest &&
      (timestamp === undefined || timestamp > Date.parse(latest.timestamp)) &&
      sameInOrder(latest.members, shortIds)
    ) {
      return { status: 400, body: duplicateSwitchError };
    }
    const created: PluralKitSwitch = { id: randomUUID(), timestamp: pluralKitTime(timestamp ?? Date.now()), members: shortIds };
    system.switches = sortNewestFirst([created, ...system.switches]);
    return { status: 200, body: { ...created, members: resolved } };
  }

  //////// Gateway ////////

  private authenticate(authorization: string | undefined): FakeSystem | undefined {
    if (!authorization) return undefined;
    const bearer = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (bearer?.startsWith(API_KEY_PREFIX)) return this.systems.get(bearer);
    if (authorization.startsWith(API_KEY_PREFIX)) return undefined;
    return this.systems.get(authorization);
  }

  /**
   * A token bucket per system and kind, holding at most one second's worth of requests (bursts up
   * to the limit, as the gateway's GCRA allows). `@me` requests are own-system requests, hence the
   * `own_system_*` header scope; the 429 body names the base bucket.
   */
  private takeFromBucket(system: FakeSystem, kind: BucketKind): Reply & { headers: Record<string, string> } {
    const limit = this.limits[kind];
    const key = `${system.systemId}:${kind}`;
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: limit, refilledAt: now };
    bucket.tokens = Math.min(limit, bucket.tokens + ((now - bucket.refilledAt) / 1000) * limit);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const secondsToFull = (limit - bucket.tokens) / limit;
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.floor(bucket.tokens)),
      // Seconds, as the current gateway sends (its docs say milliseconds).
      'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000 + secondsToFull)),
      'X-RateLimit-Scope': `own_system_${kind}`,
    };
    if (allowed) return { status: 200, headers };
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / limit) * 1000);
    return {
      status: 429,
      headers,
      body: { ...tooManyRequestsError, retry_after: retryAfterMs, scope: `generic_${kind}` },
    };
  }

  private takeFault(method: string): PluralKitFault | null {
    const fault = this.fault;
    if (!fault || (fault.method !== undefined && fault.method !== method)) return null;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.fault = null;
    return fault;
  }

  private system(token: string): FakeSystem {
    const system = this.systems.get(token);
    if (!system) throw new Error('PluralKitFake: no system has this token; call addSystem first');
    return system;
  }
}

type RouteName = 'fronters' | 'listSwitches' | 'postSwitch';

function matchRoute(method: string, path: string): RouteName | null {
  if (method === 'GET' && path === '/v2/systems/@me/fronters') return 'fronters';
  if (method === 'GET' && path === '/v2/systems/@me/switches') return 'listSwitches';
  if (method === 'POST' && path === '/v2/systems/@me/switches') return 'postSwitch';
  return null;
}

function parseSwitchInput(body: unknown): { members: string[]; timestamp?: number } | { error: unknown } {
  const modelError = (field: string, message: string) => ({
    error: { message: 'Error parsing JSON model', code: 40001, errors: { [field]: [{ message }] } },
  });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return modelError('members', 'Expected an object.');
  const { members, timestamp } = body as { members?: unknown; timestamp?: unknown };
  if (!Array.isArray(members) || !members.every((member) => typeof member === 'string')) {
    return modelError('members', 'Expected a list of member references.');
  }
  if (timestamp === undefined || timestamp === null) return { members };
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) return modelError('timestamp', 'Expected an ISO-8601 timestamp.');
  return { members, timestamp: time };
}

function listSwitches(system: FakeSystem, query: URLSearchParams): PluralKitSwitch[] {
  const limit = Math.min(MAX_SWITCH_LIST, Math.max(1, Number(query.get('limit') ?? MAX_SWITCH_LIST) || MAX_SWITCH_LIST));
  const before = query.get('before');
  const beforeTime = before === null ? Number.POSITIVE_INFINITY : Date.parse(before);
  return system.switches.filter((entry) => Date.parse(entry.timestamp) < beforeTime).slice(0, limit);
}

function findMember(system: FakeSystem, ref: string): PluralKitMember | undefined {
  return system.members.find((member) => member.id === ref || member.uuid === ref);
}

function fullMember(seed: PluralKitMemberSeed, systemId: string): PluralKitMember {
  const fields = typeof seed === 'string' ? { id: seed } : seed;
  return {
    uuid: randomUUID(),
    name: fields.id,
    display_name: null,
    color: null,
    birthday: null,
    pronouns: null,
    avatar_url: null,
    webhook_avatar_url: null,
    banner: null,
    description: null,
    created: pluralKitTime(Date.now()),
    keep_proxy: false,
    tts: false,
    autoproxy_enabled: true,
    message_count: 0,
    last_message_timestamp: null,
    proxy_tags: [],
    privacy: {
      visibility: 'public',
      name_privacy: 'public',
      description_privacy: 'public',
      banner_privacy: 'public',
      birthday_privacy: 'public',
      pronoun_privacy: 'public',
      avatar_privacy: 'public',
      metadata_privacy: 'public',
      proxy_privacy: 'public',
    },
    ...structuredClone(fields),
    system: systemId,
  };
}

function sameInOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

function sortNewestFirst(switches: PluralKitSwitch[]): PluralKitSwitch[] {
  return switches.sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
}

/** PluralKit writes times in UTC with microseconds: `2024-11-21T12:00:00.482913Z`. */
function pluralKitTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function randomShortId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(5), (byte) => letters[byte % letters.length]).join('');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseLoggedBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
