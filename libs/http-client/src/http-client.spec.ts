import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpClient, type HttpClientOptions, type UpstreamAttempt } from './http-client';
import { waitFor } from '@herald/core/testing';
import { UpstreamMalformed, UpstreamRejected, UpstreamUnavailable } from './errors';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

/** A local upstream that answers each request with the next scripted reply (the last one repeats). */
class ScriptedUpstream {
  readonly received: { method: string; path: string; at: number; body: string; headers: IncomingMessage['headers'] }[] = [];
  private replies: Reply[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<ScriptedUpstream> {
    let upstream: ScriptedUpstream | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        upstream!.received.push({ method: req.method!, path: req.url!, at: Date.now(), body, headers: req.headers });
        const reply = upstream!.replies.length > 1 ? upstream!.replies.shift()! : upstream!.replies[0];
        reply(req, res);
      });
    });
    upstream = new ScriptedUpstream(server);
    server.on('connection', (socket) => {
      upstream!.sockets.add(socket);
      socket.on('close', () => upstream!.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(...replies: Reply[]): void {
    this.replies = replies;
    this.received.length = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const text =
  (status: number, body: string, contentType: string): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  };
const hang: Reply = () => undefined;
const reset: Reply = (req) => req.socket.destroy();

const CLOUDFLARE_PAGE = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Verify you are human</body></html>';

describe('HttpClient', () => {
  let upstream: ScriptedUpstream;
  const attempts: UpstreamAttempt[] = [];
  const waits: number[] = [];

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
  });
  afterAll(() => upstream.stop());
  beforeEach(() => {
    attempts.length = 0;
    waits.length = 0;
  });

  function client(options: Partial<HttpClientOptions> = {}): HttpClient {
    return new HttpClient({
      upstream: 'test',
      baseUrl: upstream.url,
      timeoutMs: 500,
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 3 },
      onAttempt: (attempt) => attempts.push(attempt),
      ...options,
    });
  }

  it('returns parsed JSON with the status and lower-cased headers', async () => {
    upstream.script(json(200, { ok: true }, { 'X-Thing': 'a' }));
    const response = await client().request<{ ok: boolean }>({ path: '/things', query: { page: 2, skip: undefined } });
    expect(response).toMatchObject({ status: 200, data: { ok: true }, headers: { 'x-thing': 'a' } });
    expect(upstream.received[0].path).toBe('/things?page=2');
  });

  it('retries 429 after the Retry-After it was given, then succeeds', async () => {
    upstream.script(json(429, { error: 'Too many' }, { 'Retry-After': '0.3' }), json(200, { ok: 1 }));
    const response = await client().request({ path: '/p' });
    expect(response.data).toEqual({ ok: 1 });
    expect(upstream.received).toHaveLength(2);
    expect(upstream.received[1].at - upstream.received[0].at).toBeGreaterThanOrEqual(290);
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
  });

  it('reads a retry_after in milliseconds from the body when the upstream says so', async () => {
    upstream.script(json(429, { message: '429: too many requests', retry_after: 250, code: 0 }), json(200, {}));
    await client({ retry: { retryAfterBodyUnit: 'milliseconds', baseDelayMs: 1 } }).request({ path: '/p' });
    expect(upstream.received[1].at - upstream.received[0].at).toBeGreaterThanOrEqual(240);
  });

  it('holds every request of the same key while a 429 pause lasts', async () => {
    upstream.script(json(429, {}, { 'Retry-After': '0.3' }), json(200, { n: 1 }));
    const http = client({ limits: { concurrency: 1 } });
    const first = http.request({ path: '/a' });
    const second = http.request({ path: '/b' });
    await Promise.all([first, second]);
    const [limited, ...rest] = upstream.received;
    expect(limited.path).toBe('/a');
    for (const later of rest) expect(later.at - limited.at).toBeGreaterThanOrEqual(290);
  });

  it('retries 5xx with backoff and gives up with UpstreamUnavailable after the retry budget', async () => {
    upstream.script(json(503, { error: 'down' }));
    const error = await client().request({ path: '/p' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailable);
    expect(error).toMatchObject({ upstream: 'test', lastStatus: 503, attempts: 4, status: 503 });
    expect(upstream.received).toHaveLength(4);
  });

  it('treats a Cloudflare HTML challenge as transient, not as data', async () => {
    upstream.script(text(403, CLOUDFLARE_PAGE, 'text/html; charset=UTF-8'), json(200, { fine: true }));
    const response = await client().request({ path: '/p' });
    expect(response.data).toEqual({ fine: true });
    expect(upstream.received).toHaveLength(2);
  });

  it('takes a 401 with a plain-text body for a refusal, not a challenge: no retry', async () => {
    upstream.script(text(401, 'Unauthorized', 'text/html; charset=utf-8'));
    const error = await client().request({ path: '/p' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ upstreamStatus: 401, body: 'Unauthorized' });
    expect(upstream.received).toHaveLength(1);
  });

  it('returns an accepted status whatever its body', async () => {
    upstream.script(text(404, 'no such thing', 'text/plain'));
    const response = await client().request({ path: '/p', acceptStatuses: [404] });
    expect(response).toMatchObject({ status: 404, data: 'no such thing' });
  });

  it('retries a 2xx body that is not JSON and reports UpstreamMalformed when it stays broken', async () => {
    upstream.script(text(200, '{"results": [', 'application/json'));
    const error = await client().request({ path: '/p' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamMalformed);
    expect(upstream.received).toHaveLength(4);
  });

  it('times out a request that never answers and retries it', async () => {
    upstream.script(hang, json(200, { late: false }));
    const response = await client({ timeoutMs: 100 }).request({ path: '/p' });
    expect(response.data).toEqual({ late: false });
    expect(attempts.map((a) => a.status)).toEqual(['error', 200]);
  });

  it('retries a connection reset', async () => {
    upstream.script(reset, json(200, { again: true }));
    expect((await client().request({ path: '/p' })).data).toEqual({ again: true });
  });

  it('returns the statuses the caller accepts instead of throwing', async () => {
    upstream.script(json(404, { error: 'Not found' }));
    const response = await client().request({ path: '/p', acceptStatuses: [404] });
    expect(response).toMatchObject({ status: 404, data: { error: 'Not found' } });
    expect(upstream.received).toHaveLength(1);
  });

  it('throws UpstreamRejected at once for a 4xx nobody accepted, keeping the body', async () => {
    upstream.script(json(400, { message: 'bad cursor' }));
    const error = await client().request({ path: '/p' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamRejected);
    expect(error).toMatchObject({ upstreamStatus: 400, body: { message: 'bad cursor' } });
    expect(upstream.received).toHaveLength(1);
  });

  it('stops at once when the upstream asks for a longer wait than the client accepts', async () => {
    upstream.script(json(429, {}, { 'Retry-After': '3600' }));
    const error = await client().request({ path: '/p' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailable);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000 });
    expect(upstream.received).toHaveLength(1);
  });

  it('sends JSON and form bodies with their content types', async () => {
    upstream.script(json(200, {}));
    const http = client();
    await http.request({ method: 'POST', path: '/json', body: { members: ['a'] } });
    await http.request({ method: 'POST', path: '/form', body: new URLSearchParams({ code: 'c', grant_type: 'authorization_code' }) });
    expect(upstream.received[0]).toMatchObject({ body: '{"members":["a"]}', headers: { 'content-type': 'application/json' } });
    expect(upstream.received[1]).toMatchObject({
      body: 'code=c&grant_type=authorization_code',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('keeps to its request rate: never more than the allowed starts in any window', async () => {
    upstream.script(json(200, {}));
    const http = client({ limits: { concurrency: 10, requestsPerSecond: 50 } });
    await Promise.all(Array.from({ length: 15 }, (_, i) => http.request({ path: `/r${i}` })));
    const starts = upstream.received.map((r) => r.at).sort((a, b) => a - b);
    // 50/s = one start per 20 ms: ten per 200 ms, with slack for arrival jitter; unlimited, all 15 would land at once.
    const busiest = Math.max(...starts.map((at) => starts.filter((other) => other >= at && other < at + 200).length));
    expect(busiest).toBeLessThanOrEqual(12);
  });

  it('gives each limit key its own limits', async () => {
    // Answers only once four requests are in flight together: the default limits (one at a time) would never get there.
    const held: ServerResponse[] = [];
    upstream.script((_req, res) => {
      held.push(res);
      if (held.length === 4) for (const r of held) json(200, {})(_req, r);
    });
    const http = client({ limits: { concurrency: 1 }, limitsFor: () => ({ concurrency: 4 }), timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 4 }, (_, i) => http.request({ path: `/k${i}`, limitKey: 'token-a' })));
    expect(upstream.received).toHaveLength(4);
  });

  it('drops the limiter state of keys idle for ten minutes, never of a key with a request in flight', async () => {
    let now = 1_000_000;
    const held: ServerResponse[] = [];
    upstream.script((req, res) => (req.url === '/slow' ? held.push(res) : json(200, {})(req, res)));
    const http = client({ now: () => now, timeoutMs: 5_000 });
    await Promise.all(['token-a', 'token-b', 'token-c'].map((limitKey) => http.request({ path: '/quick', limitKey })));
    const slow = http.request({ path: '/slow', limitKey: 'token-slow' });
    await waitFor('the slow request to arrive', () => held.length === 1);
    expect(http.limitKeyCount).toBe(4);

    now += 9 * 60_000;
    await http.request({ path: '/quick', limitKey: 'token-d' });
    expect(http.limitKeyCount).toBe(5);

    now += 60_000;
    await http.request({ path: '/quick', limitKey: 'token-e' });
    // a, b and c went; the slow request's key stays while its request waits; d is a minute old.
    expect(http.limitKeyCount).toBe(3);

    json(200, { done: true })({} as IncomingMessage, held[0]);
    await expect(slow).resolves.toMatchObject({ data: { done: true } });
    now += 10 * 60_000;
    await http.request({ path: '/quick', limitKey: 'token-f' });
    expect(http.limitKeyCount).toBe(1);
  });
});
