import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { decode, verify } from 'jsonwebtoken';
import fixtureResponse from '../fixtures/getstream/partial_update_response.json';
import { closeNow, type FakeResponse, jsonResponse, listenOnLoopback, readBody, send } from './loopback-server';

/*
 * A fake Stream Chat server API for tests, as reference/presence.md §3 and the fixture README
 * describe: only the server-side partial update of users (`PATCH /users?api_key=`), authenticated
 * with a server JWT (HS256 over exactly `{"server": true}` with the app secret, sent raw in
 * `Authorization` with `Stream-Auth-Type: jwt`), answering with the updated users keyed by id,
 * Stream's error bodies, and `X-Ratelimit-*` headers on every answer (429 when told to limit).
 */

export interface GetStreamFakeOptions {
  apiKey: string;
  apiSecret: string;
}

export interface GetStreamLoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it does not parse. */
  body: unknown;
  status: number;
  at: number;
}

type StreamUser = Record<string, unknown> & { id: string };

/** Fields Stream owns and a partial update may not touch. */
const READ_ONLY_FIELDS = new Set(['id', 'online', 'last_active', 'created_at', 'updated_at', 'banned', 'role', 'teams']);
const MAX_USERS_PER_UPDATE = 100;
const RATE_LIMIT = 60;

export class GetStreamFake {
  readonly url: string;
  readonly requests: GetStreamLoggedRequest[] = [];
  private readonly users = new Map<string, StreamUser>();
  /** 429s still to answer, and how many seconds ahead their window resets. */
  private limited: { remaining: number; resetInSeconds: number } = { remaining: 0, resetInSeconds: 1 };

  private constructor(
    private readonly server: Server,
    url: string,
    private readonly options: GetStreamFakeOptions,
  ) {
    this.url = url;
    server.on('request', (req, res) => void this.handle(req, res).catch(() => res.destroy()));
  }

  static async start(options: GetStreamFakeOptions): Promise<GetStreamFake> {
    const server = createServer();
    const url = await listenOnLoopback(server);
    return new GetStreamFake(server, url, options);
  }

  stop(): Promise<void> {
    return closeNow(this.server);
  }

  /** A user Stream knows, shaped like the fixture's, with these fields over it. */
  addUser(id: string, fields: Record<string, unknown> = {}): void {
    const template = fixtureResponse.users['user-42'];
    this.users.set(id, { ...template, name: id, invisible: false, ...fields, id });
  }

  user(id: string): StreamUser | undefined {
    return this.users.get(id);
  }

  /** The next `count` requests get a 429 whose window resets `resetInSeconds` from now. */
  rateLimitNext(count: number, resetInSeconds = 1): void {
    this.limited = { remaining: count, resetInSeconds };
  }

  /** Partial updates that went through (2xx), oldest first. */
  appliedUpdates(): unknown[] {
    return this.requests.filter((r) => r.method === 'PATCH' && r.status === 200).map((r) => r.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    let body: unknown = raw;
    try {
      body = raw === '' ? null : JSON.parse(raw);
    } catch {
      // kept as text: a bad body is answered below
    }
    const reply = this.answer(req, url, body);
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, status: reply.status, at: Date.now() });
    send(res, reply);
  }

  private answer(req: IncomingMessage, url: URL, body: unknown): FakeResponse {
    if (req.method !== 'PATCH' || url.pathname !== '/users') return streamError(404, 16, `${req.method} ${url.pathname} is not served by this fake`);
    if (url.searchParams.get('api_key') !== this.options.apiKey) return streamError(401, 2, 'api_key not found');
    const authError = this.authError(req.headers);
    if (authError) return streamError(401, 5, authError);
    if (this.limited.remaining > 0) {
      this.limited.remaining -= 1;
      const reset = Math.ceil(Date.now() / 1000) + this.limited.resetInSeconds;
      return streamError(429, 9, 'Too many requests, check response headers for more information.', rateLimitHeaders(0, reset));
    }
    const inputError = updatesError(body);
    if (inputError) return streamError(400, 4, `UpdateUsersPartial failed with error: "${inputError}"`);
    const updates = (body as { users: PartialUpdate[] }).users;
    const unknown = updates.find((update) => !this.users.has(update.id));
    if (unknown) return streamError(400, 4, `UpdateUsersPartial failed with error: "user ${unknown.id} does not exist"`);
    const answered: Record<string, StreamUser> = {};
    for (const update of updates) answered[update.id] = this.apply(update);
    return jsonResponse(200, { users: answered, duration: '1.23ms' }, rateLimitHeaders(RATE_LIMIT - 1, Math.ceil(Date.now() / 1000) + 60));
  }

  /** Why the request is not authenticated as the server, or null when it is. */
  private authError(headers: IncomingHttpHeaders): string | null {
    if (headers['stream-auth-type'] !== 'jwt') return 'Stream-Auth-Type must be jwt';
    const token = headers.authorization;
    if (!token) return 'JWTAuth error: token is missing';
    if (token.startsWith('Bearer ')) return 'JWTAuth error: the token goes in Authorization as it is, without Bearer';
    try {
      const header = decode(token, { complete: true })?.header;
      const payload = verify(token, this.options.apiSecret, { algorithms: ['HS256'] });
      if (header?.typ !== 'JWT') return 'JWTAuth error: typ must be JWT';
      if (!isDeepStrictEqual(payload, { server: true })) return 'JWTAuth error: a server token carries exactly {"server": true}';
      return null;
    } catch (error) {
      return `JWTAuth error: ${error instanceof Error ? error.message : 'invalid token'}`;
    }
  }

  private apply(update: PartialUpdate): StreamUser {
    const user = { ...this.users.get(update.id)! };
    for (const [field, value] of Object.entries(update.set ?? {})) user[field] = value;
    for (const field of update.unset ?? []) delete user[field];
    user.updated_at = new Date().toISOString();
    this.users.set(update.id, user);
    return user;
  }
}

interface PartialUpdate {
  id: string;
  set?: Record<string, unknown>;
  unset?: string[];
}

/** What Stream would refuse in a partial update's body, or null. */
function updatesError(body: unknown): string | null {
  const users = (body as { users?: unknown } | null)?.users;
  if (!Array.isArray(users) || users.length === 0) return 'users must be a non-empty array';
  if (users.length > MAX_USERS_PER_UPDATE) return `at most ${MAX_USERS_PER_UPDATE} users per request`;
  for (const update of users as PartialUpdate[]) {
    if (typeof update?.id !== 'string' || update.id === '') return 'each update needs an id';
    const set = update.set ?? {};
    const unset = update.unset ?? [];
    if (typeof set !== 'object' || Array.isArray(set) || !Array.isArray(unset)) return 'set must be an object and unset a list';
    if (Object.keys(set).length === 0 && unset.length === 0) return 'set or unset is required';
    const touched = [...Object.keys(set), ...unset];
    const readOnly = touched.find((field) => READ_ONLY_FIELDS.has(field));
    if (readOnly) return `${readOnly} is a reserved field`;
    if (unset.some((field) => field in set)) return 'a field cannot be both set and unset';
  }
  return null;
}

function rateLimitHeaders(remaining: number, reset: number): Record<string, string> {
  return { 'X-Ratelimit-Limit': String(RATE_LIMIT), 'X-Ratelimit-Remaining': String(remaining), 'X-Ratelimit-Reset': String(reset) };
}

function streamError(status: number, code: number, message: string, headers: Record<string, string> = {}): FakeResponse {
  return jsonResponse(
    status,
    { code, message, StatusCode: status, duration: '0.00ms', more_info: 'https://getstream.io/chat/docs/api_errors_response' },
    headers,
  );
}
