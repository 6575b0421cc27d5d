import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { closeNow, jsonResponse, listenOnLoopback, send, type FakeResponse } from './loopback-server';

/**
 * A fake of the public OpenFront API (https://api.openfront.io) built from the fixtures in
 * test/fixtures/openfront: the player profile and sessions routes in both sessions forms, a token
 * bucket that answers 429 like an overloaded upstream, and faults injected per player.
 */

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'openfront');

/** Path of a fixture in test/fixtures/openfront; the `.json` suffix is optional. */
export function fixturePath(name: string): string {
  return join(FIXTURE_DIR, name.endsWith('.json') ? name : `${name}.json`);
}

/** A fresh parsed copy of a fixture in test/fixtures/openfront. */
export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** One row of `GET /public/player/:id/sessions`, as the API sends it. */
export interface OpenFrontSession {
  gameId: string;
  gameStart: string | null;
  gameEnd: string | null;
  gameType: 'Public' | 'Private' | 'Singleplayer' | null;
  gameMode: 'Free For All' | 'Team' | null;
  gameRankedType?: 'unranked' | '1v1' | '2v2' | null;
  clientId: string | null;
  username: string | null;
  clanTag: string | null;
  hasWon: boolean;
}

export interface GeneratedSessionsOptions {
  /** How many of the sessions are wins, spread evenly over the history. */
  wins: number;
  /** clanTag of every session (default null: untagged). */
  tag?: string | null;
  username?: string;
  /** gameStart of the newest session; older ones follow every 45 minutes (default 2026-03-16T20:00:00.000Z). */
  newestAt?: string;
}

const GAME_SPACING_MS = 45 * 60_000;

/** `count` realistic public sessions, newest first, `wins` of them won: for benchmarks with thousands of players. */
export function generatedSessions(count: number, options: GeneratedSessionsOptions): OpenFrontSession[] {
  const { wins, tag = null, username = 'Player', newestAt = '2026-03-16T20:00:00.000Z' } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`session count must be a whole number ≥ 0, got ${count}`);
  if (!Number.isInteger(wins) || wins < 0 || wins > count) throw new RangeError(`wins must be between 0 and ${count}, got ${wins}`);
  const newest = Date.parse(newestAt);
  if (Number.isNaN(newest)) throw new RangeError(`newestAt is not an ISO date: ${newestAt}`);
  const seed = `${username}|${tag}|${count}|${wins}`;
  return Array.from({ length: count }, (_, index): OpenFrontSession => {
    const start = newest - index * GAME_SPACING_MS;
    const durationMs = (12 + ((index * 7) % 25)) * 60_000 + ((index * 1_337) % 60_000);
    return {
      gameId: base62Id(`${seed}|game|${index}`),
      gameStart: new Date(start).toISOString(),
      gameEnd: new Date(start + durationMs).toISOString(),
      gameType: 'Public',
      gameMode: index % 3 === 0 ? 'Free For All' : 'Team',
      gameRankedType: 'unranked',
      clientId: base62Id(`${seed}|client|${index}`),
      username,
      clanTag: tag,
      // Bresenham-style spread: exactly `wins` indices flip, evenly over the history.
      hasWon: Math.floor(((index + 1) * wins) / count) > Math.floor((index * wins) / count),
    };
  });
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62Id(seed: string): string {
  return [...createHash('sha256').update(seed).digest().subarray(0, 8)].map((byte) => BASE62[byte % 62]).join('');
}

export type OpenFrontFault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
  | { kind: 'cloudflare' }
  | { kind: 'malformed' }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface OpenFrontFakeOptions {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Token bucket with burst = rate; a request finding it empty gets 429 with `Retry-After: 1`. */
  requestsPerSecond?: number;
}

export interface OpenFrontPlayerOptions {
  /** Body of GET /public/player/:id (default: player_info.json with publicId set to the player id). */
  profile?: unknown;
  /** Default: the 19 fixture sessions; 'none' = a known player without sessions. */
  sessions?: unknown[] | 'none';
  /**
   * legacy = one bare array, query filters ignored, 404 when there are none (as 2025 deployments);
   * paged = `{ results, nextCursor }`, newest first, honouring `cursor` and `type`. Default paged.
   */
  sessionsForm?: 'legacy' | 'paged';
  /** Page size of the paged form (default 100, as upstream). */
  pageSize?: number;
}

export interface OpenFrontRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
  /** 0 when no answer was sent (hang or reset fault). */
  status: number;
}

interface FakePlayer {
  profile: unknown;
  sessions: unknown[];
  sessionsForm: 'legacy' | 'paged';
  pageSize: number;
}

type Outcome = { kind: 'answer'; response: FakeResponse } | { kind: 'hang' } | { kind: 'reset' };

const PLAYER_ROUTE = /^\/public\/player\/([^/]+)(\/sessions)?$/;
const SESSION_TYPES = new Set(['public', 'private', 'singleplayer']);
const NOT_FOUND_BODY = readFileSync(fixturePath('player_not_found.json'), 'utf8');
const RATE_LIMITED_BODY = readFileSync(fixturePath('rate_limited.json'), 'utf8');
const CLOUDFLARE_CHALLENGE_PAGE =
  '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>' +
  '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">' +
  '</head><body><div class="main-wrapper" role="main"><div class="main-content">' +
  '<h1 class="zone-name-title h1">api.openfront.io</h1>' +
  '<h2 class="h2" id="challenge-running">Verifying you are human. This may take a few seconds.</h2>' +
  '</div></div><noscript>Enable JavaScript and cookies to continue</noscript></body></html>';

export class OpenFrontFake {
  readonly requests: OpenFrontRequest[] = [];
  private readonly players = new Map<string, FakePlayer>();
  private readonly queuedFaults = new Map<string, OpenFrontFault[]>();
  private readonly permanentFaults = new Map<string, OpenFrontFault>();
  private readonly pendingAnswers = new Set<NodeJS.Timeout>();
  private readonly bucket: TokenBucket | null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly latencyMs: number,
    requestsPerSecond: number | undefined,
  ) {
    this.bucket = requestsPerSecond === undefined ? null : new TokenBucket(requestsPerSecond);
  }

  static async start(options: OpenFrontFakeOptions = {}): Promise<OpenFrontFake> {
    const { latencyMs = 0, requestsPerSecond } = options;
    if (requestsPerSecond !== undefined && !(requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    let fake: OpenFrontFake | undefined;
    const server = createServer((request, response) => fake?.handle(request, response));
    fake = new OpenFrontFake(server, await listenOnLoopback(server), latencyMs, requestsPerSecond);
    return fake;
  }

  async stop(): Promise<void> {
    for (const timer of this.pendingAnswers) clearTimeout(timer);
    this.pendingAnswers.clear();
    await closeNow(this.server);
  }

  addPlayer(playerId: string, player: OpenFrontPlayerOptions = {}): void {
    const { sessions, sessionsForm = 'paged', pageSize = 100 } = player;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a whole number ≥ 1, got ${pageSize}`);
    this.players.set(playerId, {
      profile: player.profile ?? { ...readFixture<Record<string, unknown>>('player_info.json'), publicId: playerId },
      sessions: sessions === 'none' ? [] : (sessions ?? readFixture<unknown[]>('player_sessions.json')),
      sessionsForm,
      pageSize,
    });
  }

  removePlayer(playerId: string): void {
    this.players.delete(playerId);
  }

  /** Queues faults for `key` (a player id, or '*' for any request); each request consumes the next one. */
  inject(key: string, ...faults: OpenFrontFault[]): void {
    this.queuedFaults.set(key, [...(this.queuedFaults.get(key) ?? []), ...faults]);
  }

  /** Answers every request for `key` with `fault` once the queued faults are used up; null clears it. */
  failAlways(key: string, fault: OpenFrontFault | null): void {
    if (fault) this.permanentFaults.set(key, fault);
    else this.permanentFaults.delete(key);
  }

  count(filter: { playerId?: string; status?: number } = {}): number {
    return this.requests.filter(
      (request) =>
        (filter.status === undefined || request.status === filter.status) &&
        (filter.playerId === undefined || playerIdOf(request.path) === filter.playerId),
    ).length;
  }

  /** Forgets requests and faults and refills the token bucket; players stay. */
  reset(): void {
    this.requests.length = 0;
    this.queuedFaults.clear();
    this.permanentFaults.clear();
    this.bucket?.refill();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.url);
    const record: OpenFrontRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now(), status: 0 };
    this.requests.push(record);
    const outcome = this.decide(method, url);
    if (outcome.kind === 'answer') record.status = outcome.response.status;
    // A hanging request keeps its socket open until the client gives up or stop() destroys it.
    if (outcome.kind === 'hang') return;
    this.afterLatency(() => (outcome.kind === 'answer' ? send(response, outcome.response) : request.socket.destroy()));
  }

  private afterLatency(answer: () => void): void {
    if (this.latencyMs <= 0) return answer();
    const timer = setTimeout(() => {
      this.pendingAnswers.delete(timer);
      answer();
    }, this.latencyMs);
    this.pendingAnswers.add(timer);
  }

  private decide(method: string, url: URL): Outcome {
    if (this.bucket && !this.bucket.take()) {
      return answer({ status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '1' }, body: RATE_LIMITED_BODY });
    }
    const fault = this.nextFault(playerIdOf(url.pathname));
    const routed = (): FakeResponse => this.route(method, url);
    if (!fault) return answer(routed());
    switch (fault.kind) {
      case 'status':
        return answer(statusFault(fault));
      case 'cloudflare':
        return answer({
          status: 403,
          headers: { 'Content-Type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge', Server: 'cloudflare' },
          body: CLOUDFLARE_CHALLENGE_PAGE,
        });
      case 'malformed': {
        // The body the route would have sent, cut mid-way as by a dropped connection.
        const { body } = routed();
        return answer({ status: 200, headers: { 'Content-Type': 'application/json' }, body: body.slice(0, Math.floor(body.length / 2)) });
      }
      case 'hang':
      case 'reset':
        return { kind: fault.kind };
    }
  }

  private nextFault(playerId: string | undefined): OpenFrontFault | undefined {
    const keys = playerId === undefined ? ['*'] : [playerId, '*'];
    for (const key of keys) {
      const fault = this.queuedFaults.get(key)?.shift();
      if (fault) return fault;
    }
    for (const key of keys) {
      const fault = this.permanentFaults.get(key);
      if (fault) return fault;
    }
    return undefined;
  }

  private route(method: string, url: URL): FakeResponse {
    const playerId = playerIdOf(url.pathname);
    if (method !== 'GET' || playerId === undefined) {
      return jsonResponse(404, { error: 'Not found', message: `No route for ${method} ${url.pathname}` });
    }
    const player = this.players.get(playerId);
    if (!player) return { status: 404, headers: { 'Content-Type': 'application/json' }, body: NOT_FOUND_BODY };
    if (!url.pathname.endsWith('/sessions')) return jsonResponse(200, player.profile);
    if (player.sessionsForm === 'legacy') {
      // Legacy deployments could not tell "no sessions" from "unknown player".
      return player.sessions.length === 0
        ? { status: 404, headers: { 'Content-Type': 'application/json' }, body: NOT_FOUND_BODY }
        : jsonResponse(200, player.sessions);
    }
    return sessionsPage(playerId, player, url.searchParams);
  }
}

function answer(response: FakeResponse): Outcome {
  return { kind: 'answer', response };
}

function playerIdOf(path: string): string | undefined {
  const match = PLAYER_ROUTE.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function statusFault(fault: Extract<OpenFrontFault, { kind: 'status' }>): FakeResponse {
  const body =
    fault.body ??
    (fault.status === 429
      ? RATE_LIMITED_BODY
      : JSON.stringify({ error: STATUS_CODES[fault.status] ?? 'Error', message: `Injected fault ${fault.status}` }));
  const headers: Record<string, string> = { 'Content-Type': fault.contentType ?? 'application/json' };
  if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
  return { status: fault.status, headers, body };
}

interface SessionsCursor {
  player: string;
  offset: number;
  type: string | null;
}

function sessionsPage(playerId: string, player: FakePlayer, query: URLSearchParams): FakeResponse {
  const type = query.get('type');
  if (type !== null && !SESSION_TYPES.has(type)) return badRequest(`type must be one of ${[...SESSION_TYPES].join(', ')}`);
  const cursorText = query.get('cursor');
  let offset = 0;
  if (cursorText !== null) {
    const cursor = decodeCursor(cursorText);
    // A cursor is bound to its player and its filters, as upstream.
    if (!cursor || cursor.player !== playerId || cursor.type !== type) return badRequest('Invalid cursor');
    offset = cursor.offset;
  }
  const matching = newestFirst(player.sessions).filter((session) => type === null || sessionType(session) === type);
  const end = offset + player.pageSize;
  const nextCursor = end < matching.length ? encodeCursor({ player: playerId, offset: end, type }) : null;
  return jsonResponse(200, { results: matching.slice(offset, end), nextCursor });
}

function badRequest(message: string): FakeResponse {
  return jsonResponse(400, { error: 'Bad request', message });
}

function encodeCursor(cursor: SessionsCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): SessionsCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<SessionsCursor>;
    const valid =
      typeof value.player === 'string' &&
      Number.isInteger(value.offset) &&
      (value.offset as number) >= 0 &&
      (value.type === null || typeof value.type === 'string');
    return valid ? (value as SessionsCursor) : null;
  } catch {
    return null;
  }
}

/** Upstream order: newest game first by start (else end), rows without any time last. */
function newestFirst(sessions: unknown[]): unknown[] {
  const time = (session: unknown): number => {
    const { gameStart, gameEnd } = (session ?? {}) as Partial<OpenFrontSession>;
    const iso = gameStart ?? gameEnd;
    return iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY;
  };
  return [...sessions].sort((a, b) => {
    const [timeA, timeB] = [time(a), time(b)];
    return timeA === timeB ? 0 : timeA > timeB ? -1 : 1;
  });
}

function sessionType(session: unknown): string | undefined {
  return ((session ?? {}) as Partial<OpenFrontSession>).gameType?.toLowerCase();
}

class TokenBucket {
  private tokens: number;
  private refilledAt = Date.now();

  constructor(private readonly ratePerSecond: number) {
    this.tokens = ratePerSecond;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  refill(): void {
    this.tokens = this.ratePerSecond;
    this.refilledAt = Date.now();
  }
}
