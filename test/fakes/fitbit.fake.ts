import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { closeNow, countRequests, type FakeResponse, jsonResponse, listenOnLoopback, readBody, send } from './loopback-server';

/**
 * A fake of the Fitbit Web API and its OAuth 2.0 server (reference/fitbit-api.md), built from the
 * fixtures in test/fixtures/fitbit: authorize (code flow with PKCE S256, the browser's "user"
 * chosen by the test), the token endpoint (Basic client authentication, single-use codes and
 * refresh tokens, every refresh counted), revoke, the profile and the four daily range endpoints,
 * the per-user hourly quota with its `Fitbit-Rate-Limit-*` headers, and injected faults. Error
 * bodies are Fitbit's, including the messages that quote the token.
 */

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'fitbit');

/** A fresh parsed copy of a fixture in test/fixtures/fitbit; the `.json` suffix is optional. */
export function readFitbitFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name.endsWith('.json') ? name : `${name}.json`), 'utf8')) as T;
}

export const FITBIT_FIXTURE_RANGE = { startDate: '2025-03-10', endDate: '2025-03-13' } as const;

export const FAKE_CLIENT = { clientId: '23FAKE', clientSecret: 'fake-fitbit-client-secret-0123456789abcdef' } as const;

const HOUR_MS = 3_600_000;
const CODE_LIFETIME_MS = 10 * 60_000;
const ALL_SCOPES = ['activity', 'heartrate', 'sleep', 'profile'];

type Json = Record<string, unknown>;

/** Who signs in at the authorize page, and what they do there. */
interface Login {
  userId: string;
  deny?: boolean;
  grants?: string[];
}

/** One day of a user's data, as Fitbit stores it. */
interface DayData {
  /** Sleep logs ending that day, main sleep and naps. */
  sleep: Json[];
  /** The steps series `value` (a string); absent: "0". */
  steps?: string;
  /** The heart series `value` object (zones, maybe `restingHeartRate`). */
  heart?: Json;
  /** The AZM series `value` object; absent: the day is left out, as Fitbit does. */
  azm?: Json;
}

interface FakeUser {
  days: Map<string, DayData>;
  /** Sleep logs in the order Fitbit lists them (newest first), for the fixture's exact order. */
  sleepOrder: Json[];
  timezone: string;
  /** Scopes the user grants when asked (default: every scope asked for). */
  grants?: string[];
  /** Days with no stored data get generated values (benchmarks with many users). */
  generated: boolean;
}

interface IssuedAccessToken {
  userId: string;
  scopes: string[];
  expiresAt: number;
  expired: boolean;
  revoked: boolean;
}

interface IssuedRefreshToken {
  userId: string;
  scopes: string[];
  used: boolean;
}

interface IssuedCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export type FitbitRequestKind = 'authorize' | 'token' | 'revoke' | 'profile' | 'sleep' | 'steps' | 'heart' | 'azm' | 'other';

export interface FitbitRequest {
  method: string;
  path: string;
  kind: FitbitRequestKind;
  /** `grant_type` of a token request. */
  grant?: string;
  /** The Fitbit user the request was for, when known. */
  userId: string | null;
  status: number;
  at: number;
}

/** An answer forced on a request: `status` (5xx, or 429 with `resetSeconds`), for any data request or one `kind` only. */
export type FitbitFault = { status: number; resetSeconds?: number; kind?: FitbitRequestKind };

export interface FitbitFakeOptions {
  /** Delay before every answer. */
  latencyMs?: number;
  /** `expires_in` of issued access tokens (Fitbit: 28800). */
  accessTokenLifetimeSeconds?: number;
  /** Requests per user per clock hour (Fitbit: 150). */
  hourlyLimit?: number;
  /** Redirect URIs registered for the app; any is accepted when absent. */
  redirectUris?: string[];
}

const ROUTES: Array<{ kind: FitbitRequestKind; pattern: RegExp; scope: string }> = [
  { kind: 'sleep', pattern: /^\/1\.2\/user\/-\/sleep\/date\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\.json$/, scope: 'sleep' },
  { kind: 'steps', pattern: /^\/1\/user\/-\/activities\/steps\/date\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\.json$/, scope: 'activity' },
  { kind: 'heart', pattern: /^\/1\/user\/-\/activities\/heart\/date\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\.json$/, scope: 'heartrate' },
  { kind: 'azm', pattern: /^\/1\/user\/-\/activities\/active-zone-minutes\/date\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\.json$/, scope: 'activity' },
];

export class FitbitFake {
  readonly requests: FitbitRequest[] = [];
  /** Every token the fake handed out: what must never show up in Herald's logs, events or answers. */
  readonly issuedSecrets: string[] = [];
  private readonly users = new Map<string, FakeUser>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly used = new Map<string, { window: number; count: number }>();
  private readonly faults: Record<'data' | 'token', FitbitFault[]> = { data: [], token: [] };
  private readonly pendingAnswers = new Set<NodeJS.Timeout>();
  private nextLogin: Login | null = null;
  private readonly loginsByState = new Map<string, Login>();
  private readonly latencyMs: number;
  private lifetimeSeconds: number;
  private readonly hourlyLimit: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FitbitFakeOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.lifetimeSeconds = options.accessTokenLifetimeSeconds ?? 28_800;
    this.hourlyLimit = options.hourlyLimit ?? 150;
  }

  static async start(options: FitbitFakeOptions = {}): Promise<FitbitFake> {
    let fake: FitbitFake | undefined;
    const server = createServer((request, response) => void fake?.handle(request, response));
    fake = new FitbitFake(server, await listenOnLoopback(server), options);
    return fake;
  }

  async stop(): Promise<void> {
    for (const timer of this.pendingAnswers) clearTimeout(timer);
    this.pendingAnswers.clear();
    await closeNow(this.server);
  }

  /**
   * A Fitbit user. `fixtures`: the fixtures' data (2025-03-10..13); `generated`: plausible values
   * for any day without stored data.
   */
  addUser(userId: string, options: { fixtures?: boolean; generated?: boolean; timezone?: string; grants?: string[] } = {}): void {
    const user: FakeUser = {
      days: new Map(),
      sleepOrder: [],
      timezone: options.timezone ?? 'UTC',
      grants: options.grants,
      generated: options.generated ?? false,
    };
    if (options.fixtures) loadFixtureDays(user);
    this.users.set(userId, user);
  }

  /** `expires_in` of the tokens issued from now on. */
  setAccessTokenLifetime(seconds: number): void {
    this.lifetimeSeconds = seconds;
  }

  /**
   * Who signs in at the next authorize request, and whether they grant access (default: the first
   * user, granting). With `state`, only the authorization carrying that state: for many at once.
   */
  nextAuthorization(login: Login, state?: string): void {
    if (state === undefined) this.nextLogin = login;
    else this.loginsByState.set(state, login);
  }

  /** The user's access tokens issued so far answer 401 `expired_token` from now on. */
  expireAccessTokens(userId: string): void {
    for (const token of this.accessTokens.values()) if (token.userId === userId) token.expired = true;
  }

  /** The user's refresh tokens issued so far answer `invalid_grant` (revoked on fitbit.com, say). */
  revokeRefreshTokens(userId: string): void {
    for (const token of this.refreshTokens.values()) if (token.userId === userId) token.used = true;
  }

  /** Queues faults for data requests or token requests; each request of that kind takes the next. */
  inject(kind: 'data' | 'token', ...faults: FitbitFault[]): void {
    this.faults[kind].push(...faults);
  }

  /** Counts `requests` against the user's budget of this hour, as other requests would have (default: all of it). */
  useQuota(userId: string, requests = this.hourlyLimit): void {
    this.used.set(userId, { window: this.window(), count: requests });
  }

  /** Requests of the user in the current clock hour. */
  requestsThisHour(userId: string): number {
    const used = this.used.get(userId);
    return used && used.window === this.window() ? used.count : 0;
  }

  /** Token-endpoint requests with `grant_type=refresh_token` (accepted or refused), optionally for one user. */
  refreshCount(userId?: string): number {
    return this.requests.filter((r) => r.kind === 'token' && r.grant === 'refresh_token' && (userId === undefined || r.userId === userId)).length;
  }

  count(filter: { kind?: FitbitRequestKind; userId?: string; status?: number } = {}): number {
    return countRequests(
      this.requests.filter((r) => (filter.kind === undefined || r.kind === filter.kind) && (filter.userId === undefined || r.userId === filter.userId)),
      { status: filter.status },
    );
  }

  /** Forgets the request log and queued faults; users, tokens and quotas stay. */
  reset(): void {
    this.requests.length = 0;
    this.faults.data.length = 0;
    this.faults.token.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const body = await readBody(request);
    const record: FitbitRequest = { method: request.method ?? 'GET', path: url.pathname, kind: 'other', userId: null, status: 0, at: Date.now() };
    this.requests.push(record);
    const answer = this.route(request, url, body, record);
    record.status = answer.status;
    if (this.latencyMs <= 0) return send(response, answer);
    const timer = setTimeout(() => {
      this.pendingAnswers.delete(timer);
      send(response, answer);
    }, this.latencyMs);
    this.pendingAnswers.add(timer);
  }

  private route(request: IncomingMessage, url: URL, body: string, record: FitbitRequest): FakeResponse {
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/oauth2/authorize') return this.authorize(url.searchParams, record);
    if (method === 'POST' && url.pathname === '/oauth2/token') return this.token(request, new URLSearchParams(body), record);
    if (method === 'POST' && url.pathname === '/oauth2/revoke') return this.revoke(request, new URLSearchParams(body), record);
    if (method === 'GET' && url.pathname === '/1/user/-/profile.json') {
      record.kind = 'profile';
      return this.data(request, record, 'profile', (userId) => {
        const user = this.users.get(userId)!;
        return jsonResponse(200, { user: { encodedId: userId, timezone: user.timezone, displayName: `User ${userId}` } });
      });
    }
    for (const route of ROUTES) {
      const match = route.pattern.exec(url.pathname);
      if (method !== 'GET' || !match) continue;
      record.kind = route.kind;
      return this.data(request, record, route.scope, (userId) => this.series(route.kind, userId, match[1], match[2]));
    }
    return jsonResponse(404, fitbitError('not_found', `No route for ${method} ${url.pathname}`));
  }

  private authorize(query: URLSearchParams, record: FitbitRequest): FakeResponse {
    record.kind = 'authorize';
    const redirectUri = query.get('redirect_uri') ?? '';
    const problems = [
      query.get('client_id') !== FAKE_CLIENT.clientId && 'unknown client_id',
      query.get('response_type') !== 'code' && 'response_type must be code',
      query.get('code_challenge_method') !== 'S256' && 'code_challenge_method must be S256',
      !/^[A-Za-z0-9_-]{43}$/.test(query.get('code_challenge') ?? '') && 'code_challenge must be base64url SHA-256',
      !query.get('state') && 'state is missing',
      (!redirectUri || (this.options.redirectUris !== undefined && !this.options.redirectUris.includes(redirectUri))) && 'redirect_uri is not registered',
    ].filter((problem): problem is string => typeof problem === 'string');
    if (problems.length > 0) return { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Invalid authorization request: ${problems.join('; ')}` };
    const state = query.get('state')!;
    const login = this.loginsByState.get(state) ?? this.nextLogin ?? { userId: [...this.users.keys()][0] };
    if (this.loginsByState.delete(state) === false) this.nextLogin = null;
    record.userId = login.userId;
    const back = new URL(redirectUri);
    back.searchParams.set('state', state);
    if (login.deny) {
      back.searchParams.set('error', 'access_denied');
      return { status: 302, headers: { Location: back.toString() }, body: '' };
    }
    const asked = (query.get('scope') ?? '').split(' ').filter(Boolean);
    const grants = login.grants ?? this.users.get(login.userId)?.grants ?? ALL_SCOPES;
    const code = randomBytes(20).toString('hex');
    this.codes.set(code, {
      userId: login.userId,
      clientId: FAKE_CLIENT.clientId,
      redirectUri,
      challenge: query.get('code_challenge')!,
      scopes: asked.filter((scope) => grants.includes(scope)),
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    back.searchParams.set('code', code);
    return { status: 302, headers: { Location: back.toString() }, body: '' };
  }

  private token(request: IncomingMessage, form: URLSearchParams, record: FitbitRequest): FakeResponse {
    record.kind = 'token';
    record.grant = form.get('grant_type') ?? undefined;
    if (!this.isClient(request)) return jsonResponse(401, fitbitError('invalid_client', 'Invalid authorization header format.'));
    if (record.grant === 'refresh_token') {
      const refresh = this.refreshTokens.get(form.get('refresh_token') ?? '');
      record.userId = refresh?.userId ?? null;
    }
    const fault = this.faults.token.shift();
    if (fault) return jsonResponse(fault.status, fitbitError('system', 'Injected fault'));
    if (record.grant === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const valid =
        code !== undefined &&
        !code.used &&
        code.expiresAt > Date.now() &&
        code.redirectUri === form.get('redirect_uri') &&
        createHash('sha256').update(verifier).digest('base64url') === code.challenge;
      if (code) code.used = true;
      if (!valid) return jsonResponse(400, fitbitError('invalid_grant', `Authorization code invalid: ${form.get('code')}`));
      record.userId = code.userId;
      return jsonResponse(200, this.issueTokens(code.userId, code.scopes));
    }
    if (record.grant === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const refresh = this.refreshTokens.get(token);
      if (!refresh || refresh.used) {
        const invalid = readFitbitFixture<{ errors: Array<{ message: string }> }>('error_invalid_grant');
        invalid.errors[0].message = `Refresh token invalid: ${token}`;
        return jsonResponse(400, invalid);
      }
      refresh.used = true;
      return jsonResponse(200, this.issueTokens(refresh.userId, refresh.scopes));
    }
    return jsonResponse(400, fitbitError('unsupported_grant_type', 'The grant type is not supported.'));
  }

  private revoke(request: IncomingMessage, form: URLSearchParams, record: FitbitRequest): FakeResponse {
    record.kind = 'revoke';
    if (!this.isClient(request)) return jsonResponse(401, fitbitError('invalid_client', 'Invalid authorization header format.'));
    const token = form.get('token') ?? '';
    const userId = this.refreshTokens.get(token)?.userId ?? this.accessTokens.get(token)?.userId;
    record.userId = userId ?? null;
    if (userId !== undefined) {
      this.revokeRefreshTokens(userId);
      for (const access of this.accessTokens.values()) if (access.userId === userId) access.revoked = true;
    }
    return jsonResponse(200, {});
  }

  /** A data request: bearer token, scope, quota, faults, then the answer. */
  private data(request: IncomingMessage, record: FitbitRequest, scope: string, answer: (userId: string) => FakeResponse): FakeResponse {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const token = this.accessTokens.get(bearer);
    if (!token || token.revoked) return jsonResponse(401, fitbitError('invalid_token', `Access token invalid: ${bearer}`));
    record.userId = token.userId;
    if (token.expired || token.expiresAt <= Date.now()) {
      const expired = readFitbitFixture<{ errors: Array<{ message: string }> }>('error_expired_token');
      expired.errors[0].message = `Access token expired: ${bearer}`;
      return jsonResponse(401, expired);
    }
    const quota = this.spend(token.userId);
    const fault = this.takeFault(record.kind);
    if (quota.remaining < 0 || fault?.status === 429) {
      const reset = String(fault?.resetSeconds ?? quota.resetSeconds);
      const headers = { ...quota.headers, 'Fitbit-Rate-Limit-Remaining': '0', 'Fitbit-Rate-Limit-Reset': reset, 'Retry-After': reset };
      return jsonResponse(429, readFitbitFixture('error_rate_limited'), headers);
    }
    if (fault) return jsonResponse(fault.status, fitbitError('system', 'Injected fault'), quota.headers);
    if (!token.scopes.includes(scope)) {
      return jsonResponse(403, fitbitError('insufficient_scope', `This application does not have permission to access ${scope} data.`), quota.headers);
    }
    const answered = answer(token.userId);
    return { ...answered, headers: { ...answered.headers, ...quota.headers } };
  }

  private series(kind: FitbitRequestKind, userId: string, start: string, end: string): FakeResponse {
    if (start > end) return jsonResponse(400, fitbitError('validation', 'Start date must be before end date.'));
    const days = eachDay(start, end);
    if (kind === 'sleep' && days.length > 100) return jsonResponse(400, fitbitError('validation', 'The date range may not exceed 100 days.'));
    const user = this.users.get(userId)!;
    const dayData = (date: string) => user.days.get(date) ?? (user.generated ? generatedDay(userId, date) : undefined);
    switch (kind) {
      case 'sleep': {
        const stored = user.sleepOrder.filter((entry) => days.includes(entry.dateOfSleep as string));
        const generated = user.generated ? [...days].reverse().filter((date) => !user.days.has(date)).flatMap((date) => dayData(date)!.sleep) : [];
        return jsonResponse(200, { sleep: [...stored, ...generated] });
      }
      case 'steps':
        return jsonResponse(200, { 'activities-steps': days.map((date) => ({ dateTime: date, value: dayData(date)?.steps ?? '0' })) });
      case 'heart':
        return jsonResponse(200, { 'activities-heart': days.flatMap((date) => (dayData(date)?.heart ? [{ dateTime: date, value: dayData(date)!.heart }] : [])) });
      default:
        return jsonResponse(200, {
          'activities-active-zone-minutes': days.flatMap((date) => (dayData(date)?.azm ? [{ dateTime: date, value: dayData(date)!.azm }] : [])),
        });
    }
  }

  private takeFault(kind: FitbitRequestKind): FitbitFault | undefined {
    const index = this.faults.data.findIndex((fault) => fault.kind === undefined || fault.kind === kind);
    return index < 0 ? undefined : this.faults.data.splice(index, 1)[0];
  }

  private issueTokens(userId: string, scopes: string[]): Json {
    const accessToken = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    const refreshToken = randomBytes(32).toString('hex');
    this.accessTokens.set(accessToken, { userId, scopes, expiresAt: Date.now() + this.lifetimeSeconds * 1000, expired: false, revoked: false });
    this.refreshTokens.set(refreshToken, { userId, scopes, used: false });
    this.issuedSecrets.push(accessToken, refreshToken);
    return {
      ...readFitbitFixture<Json>('token_response'),
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: this.lifetimeSeconds,
      scope: scopes.join(' '),
      user_id: userId,
    };
  }

  private isClient(request: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${FAKE_CLIENT.clientId}:${FAKE_CLIENT.clientSecret}`).toString('base64')}`;
    return request.headers.authorization === expected;
  }

  /** Counts one request against the user's hourly budget; `remaining` below zero means refused. */
  private spend(userId: string): { remaining: number; resetSeconds: number; headers: Record<string, string> } {
    const window = this.window();
    const used = this.used.get(userId);
    const count = (used && used.window === window ? used.count : 0) + 1;
    this.used.set(userId, { window, count });
    const remaining = this.hourlyLimit - count;
    const resetSeconds = Math.ceil(((window + 1) * HOUR_MS - Date.now()) / 1000);
    return {
      remaining,
      resetSeconds,
      headers: {
        'Fitbit-Rate-Limit-Limit': String(this.hourlyLimit),
        'Fitbit-Rate-Limit-Remaining': String(Math.max(0, remaining)),
        'Fitbit-Rate-Limit-Reset': String(resetSeconds),
      },
    };
  }

  private window(): number {
    return Math.floor(Date.now() / HOUR_MS);
  }
}

function fitbitError(errorType: string, message: string): Json {
  return { errors: [{ errorType, message }], success: false };
}

function eachDay(start: string, end: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${start}T00:00:00Z`); at <= Date.parse(`${end}T00:00:00Z`); at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** The fixtures' four days, entry by entry, so a request for their range answers the fixture files exactly. */
function loadFixtureDays(user: FakeUser): void {
  const day = (date: string): DayData => {
    let data = user.days.get(date);
    if (!data) user.days.set(date, (data = { sleep: [] }));
    return data;
  };
  user.sleepOrder = readFitbitFixture<{ sleep: Json[] }>('sleep_range').sleep;
  for (const entry of user.sleepOrder) day(entry.dateOfSleep as string).sleep.push(entry);
  for (const entry of readFitbitFixture<{ 'activities-steps': Array<{ dateTime: string; value: string }> }>('steps_range')['activities-steps']) {
    day(entry.dateTime).steps = entry.value;
  }
  for (const entry of readFitbitFixture<{ 'activities-heart': Array<{ dateTime: string; value: Json }> }>('heart_range')['activities-heart']) {
    day(entry.dateTime).heart = entry.value;
  }
  for (const entry of readFitbitFixture<{ 'activities-active-zone-minutes': Array<{ dateTime: string; value: Json }> }>('azm_range')[
    'activities-active-zone-minutes'
  ]) {
    day(entry.dateTime).azm = entry.value;
  }
}

/** Plausible values for a day, the same for the same user and day. */
function generatedDay(userId: string, date: string): DayData {
  const seed = createHash('sha256').update(`${userId}|${date}`).digest();
  const minutesAsleep = 300 + (seed[0] % 240);
  const bedMinute = 22 * 60 + (seed[1] % 120);
  const start = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000 + bedMinute * 60_000);
  const end = new Date(start.getTime() + (minutesAsleep + 30) * 60_000);
  const local = (at: Date) => at.toISOString().slice(0, 23);
  return {
    sleep: [
      {
        dateOfSleep: date,
        isMainSleep: true,
        minutesAsleep,
        timeInBed: minutesAsleep + 30,
        startTime: local(start),
        endTime: local(end),
        type: 'stages',
        logType: 'auto_detected',
      },
    ],
    steps: String(seed.readUInt16BE(2) % 20_000),
    heart: { customHeartRateZones: [], heartRateZones: [], restingHeartRate: 50 + (seed[4] % 20) },
    azm: { activeZoneMinutes: seed[5] % 90 },
  };
}
