import { existsSync } from 'node:fs';
import { OpenFrontFake, fixturePath, generatedSessions, readFixture, type OpenFrontSession } from './openfront.fake';

const PLAYER = 'q8ZfR2mK';
const OTHER_PLAYER = 'Zx9Kp2Lw';

interface SessionsPage {
  results: OpenFrontSession[];
  nextCursor: string | null;
}

describe('OpenFrontFake', () => {
  let fake: OpenFrontFake;

  beforeEach(async () => {
    fake = await OpenFrontFake.start();
    fake.addPlayer(PLAYER);
  });
  afterEach(() => fake.stop());

  const get = (path: string, init?: RequestInit) => fetch(`${fake.url}${path}`, init);

  async function followPages(playerId: string, query: Record<string, string> = {}): Promise<SessionsPage[]> {
    const pages: SessionsPage[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams(cursor === null ? query : { ...query, cursor });
      const response = await get(`/public/player/${playerId}/sessions?${params}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as SessionsPage;
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return pages;
  }

  describe('routes', () => {
    it('serves the fixture profile with the player id as its publicId', async () => {
      fake.addPlayer(OTHER_PLAYER);
      const response = await get(`/public/player/${OTHER_PLAYER}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ...readFixture<object>('player_info.json'), publicId: OTHER_PLAYER });
    });

    it('serves a given profile as is', async () => {
      const profile = readFixture('player_info_new_player.json');
      fake.addPlayer(OTHER_PLAYER, { profile });
      expect(await (await get(`/public/player/${OTHER_PLAYER}`)).json()).toEqual(profile);
    });

    it('pages the 19 fixture sessions newest first, exactly as the fixture pages do', async () => {
      fake.addPlayer(PLAYER, { pageSize: 10 });
      const pages = await followPages(PLAYER);
      const fixturePages = [readFixture<SessionsPage>('player_sessions_page1.json'), readFixture<SessionsPage>('player_sessions_page2.json')];
      expect(pages.map((page) => page.results)).toEqual(fixturePages.map((page) => page.results));
      expect(pages[0].nextCursor).toEqual(expect.any(String));
      expect(pages[1].nextCursor).toBeNull();
    });

    it('answers all 19 sessions in one page at the default page size', async () => {
      const pages = await followPages(PLAYER);
      expect(pages).toHaveLength(1);
      expect(pages[0].results.map((session) => session.gameId).sort()).toEqual(
        readFixture<OpenFrontSession[]>('player_sessions.json').map((session) => session.gameId).sort(),
      );
    });

    it('serves the legacy form as the bare, unsorted fixture array', async () => {
      fake.addPlayer(PLAYER, { sessionsForm: 'legacy' });
      const response = await get(`/public/player/${PLAYER}/sessions`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(readFixture('player_sessions.json'));
    });

    it('answers a known player without sessions with an empty page, and with 404 in the legacy form', async () => {
      fake.addPlayer(OTHER_PLAYER, { sessions: 'none' });
      fake.addPlayer('LegacyNo', { sessions: 'none', sessionsForm: 'legacy' });

      const paged = await get(`/public/player/${OTHER_PLAYER}/sessions`);
      expect(paged.status).toBe(200);
      expect(await paged.json()).toEqual(readFixture('player_sessions_empty.json'));

      const legacy = await get('/public/player/LegacyNo/sessions');
      expect(legacy.status).toBe(404);
      expect(await legacy.json()).toEqual(readFixture('player_not_found.json'));
      expect((await get('/public/player/LegacyNo')).status).toBe(200);
    });

    it('answers 404 with the not-found fixture for unknown and removed players, on both routes', async () => {
      fake.removePlayer(PLAYER);
      for (const path of [`/public/player/${PLAYER}`, `/public/player/${PLAYER}/sessions`, '/public/player/nobody']) {
        const response = await get(path);
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual(readFixture('player_not_found.json'));
      }
    });

    it('answers 404 to unknown routes and methods', async () => {
      expect((await get('/public/games')).status).toBe(404);
      expect((await get(`/public/player/${PLAYER}/games`)).status).toBe(404);
      expect((await get(`/public/player/${PLAYER}`, { method: 'POST' })).status).toBe(404);
    });

    it('filters sessions by type=public on every page', async () => {
      fake.addPlayer(PLAYER, { pageSize: 5 });
      const rows = (await followPages(PLAYER, { type: 'public' })).flatMap((page) => page.results);
      const publicFixtureRows = readFixture<OpenFrontSession[]>('player_sessions.json').filter((session) => session.gameType === 'Public');
      expect(rows).toHaveLength(publicFixtureRows.length);
      expect(rows.every((session) => session.gameType === 'Public')).toBe(true);
    });

    it('refuses with 400 a cursor that does not decode, belongs to another player or to other filters', async () => {
      fake.addPlayer(PLAYER, { pageSize: 5 });
      fake.addPlayer(OTHER_PLAYER, { pageSize: 5 });
      const [firstPage] = await followPages(PLAYER, { type: 'public' });
      const cursor = encodeURIComponent(firstPage.nextCursor as string);

      expect((await get(`/public/player/${PLAYER}/sessions?type=public&cursor=${cursor}`)).status).toBe(200);
      for (const path of [
        `/public/player/${PLAYER}/sessions?cursor=not-a-cursor`,
        `/public/player/${PLAYER}/sessions?cursor=${cursor}`,
        `/public/player/${OTHER_PLAYER}/sessions?type=public&cursor=${cursor}`,
        `/public/player/${PLAYER}/sessions?type=ranked`,
      ]) {
        const response = await get(path);
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: 'Bad request', message: expect.any(String) });
      }
    });
  });

  describe('faults', () => {
    it('consumes queued faults in order, one per request, then answers normally', async () => {
      fake.inject(PLAYER, { kind: 'status', status: 503 }, { kind: 'status', status: 429, retryAfter: '30' });

      const unavailable = await get(`/public/player/${PLAYER}`);
      expect(unavailable.status).toBe(503);
      expect(await unavailable.json()).toEqual({ error: 'Service Unavailable', message: expect.any(String) });

      const limited = await get(`/public/player/${PLAYER}/sessions`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('30');
      expect(await limited.json()).toEqual(readFixture('rate_limited.json'));

      expect((await get(`/public/player/${PLAYER}`)).status).toBe(200);
    });

    it('sends a given body and content type with a status fault', async () => {
      fake.inject(PLAYER, { kind: 'status', status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
      const response = await get(`/public/player/${PLAYER}`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(await response.text()).toBe('Bad Gateway');
    });

    it("applies '*' faults to any player and keeps faults of one player away from the others", async () => {
      fake.addPlayer(OTHER_PLAYER);
      fake.inject(OTHER_PLAYER, { kind: 'status', status: 500 });
      fake.inject('*', { kind: 'status', status: 502 });

      expect((await get(`/public/player/${PLAYER}`)).status).toBe(502);
      expect((await get(`/public/player/${PLAYER}`)).status).toBe(200);
      expect((await get(`/public/player/${OTHER_PLAYER}`)).status).toBe(500);
      expect((await get(`/public/player/${OTHER_PLAYER}`)).status).toBe(200);
    });

    it('fails every request with failAlways until it is cleared', async () => {
      fake.failAlways(PLAYER, { kind: 'status', status: 500 });
      expect((await get(`/public/player/${PLAYER}`)).status).toBe(500);
      expect((await get(`/public/player/${PLAYER}/sessions`)).status).toBe(500);
      fake.failAlways(PLAYER, null);
      expect((await get(`/public/player/${PLAYER}`)).status).toBe(200);
    });

    it('answers a Cloudflare challenge as a 403 HTML page', async () => {
      fake.inject(PLAYER, { kind: 'cloudflare' });
      const response = await get(`/public/player/${PLAYER}`);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const body = await response.text();
      expect(body).toContain('<title>Just a moment...</title>');
      expect(() => JSON.parse(body)).toThrow();
    });

    it('answers a malformed fault with a 200 JSON response whose body does not parse', async () => {
      fake.inject(PLAYER, { kind: 'malformed' });
      const response = await get(`/public/player/${PLAYER}/sessions`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      await expect(response.json()).rejects.toHaveProperty('name', 'SyntaxError');
    });

    it('drops the connection without an answer on a reset fault', async () => {
      fake.inject(PLAYER, { kind: 'reset' });
      await expect(get(`/public/player/${PLAYER}`)).rejects.toThrow();
      expect(fake.requests).toEqual([expect.objectContaining({ path: `/public/player/${PLAYER}`, status: 0 })]);
    });

    it('never answers a hang fault, until the client gives up', async () => {
      fake.inject(PLAYER, { kind: 'hang' });
      await expect(get(`/public/player/${PLAYER}`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
      expect(fake.count({ status: 0 })).toBe(1);
    });

    it('destroys hanging requests on stop', async () => {
      fake.inject('*', { kind: 'hang' });
      const hanging = get(`/public/player/${PLAYER}`);
      await waitUntil(() => fake.requests.length === 1);
      await fake.stop();
      await expect(hanging).rejects.toThrow();
    });
  });

  describe('rate limit and latency', () => {
    it('answers 429 with Retry-After: 1 once the token bucket is empty, and again once it refills', async () => {
      await fake.stop();
      fake = await OpenFrontFake.start({ requestsPerSecond: 10 });
      fake.addPlayer(PLAYER);

      const burst = await Promise.all(Array.from({ length: 11 }, () => get(`/public/player/${PLAYER}`)));
      const limited = burst.filter((response) => response.status === 429);
      expect(burst.filter((response) => response.status === 200)).toHaveLength(10);
      expect(limited).toHaveLength(1);
      expect(limited[0].headers.get('retry-after')).toBe('1');
      expect(await limited[0].json()).toEqual(readFixture('rate_limited.json'));

      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await get(`/public/player/${PLAYER}`)).status).toBe(200);
      expect(fake.count({ status: 429 })).toBe(1);
    });

    it('delays every answer by the configured latency', async () => {
      await fake.stop();
      fake = await OpenFrontFake.start({ latencyMs: 60 });
      const startedAt = Date.now();
      expect((await get('/public/player/nobody')).status).toBe(404);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(55);
    });
  });

  describe('request log', () => {
    it('records every request with its query and status, and counts them by player and status', async () => {
      fake.addPlayer(OTHER_PLAYER);
      await get(`/public/player/${PLAYER}`);
      await get(`/public/player/${PLAYER}/sessions?type=public`);
      await get(`/public/player/${OTHER_PLAYER}`);
      await get('/public/player/nobody');

      expect(fake.requests[1]).toEqual({
        method: 'GET',
        path: `/public/player/${PLAYER}/sessions`,
        query: { type: 'public' },
        at: expect.any(Number),
        status: 200,
      });
      expect(fake.count()).toBe(4);
      expect(fake.count({ playerId: PLAYER })).toBe(2);
      expect(fake.count({ status: 404 })).toBe(1);
      expect(fake.count({ playerId: 'nobody', status: 404 })).toBe(1);
    });

    it('reset forgets requests and faults but keeps players', async () => {
      fake.inject(PLAYER, { kind: 'status', status: 500 });
      fake.failAlways('*', { kind: 'status', status: 503 });
      await get('/public/player/nobody');
      fake.reset();
      expect(fake.requests).toEqual([]);
      expect((await get(`/public/player/${PLAYER}`)).status).toBe(200);
    });
  });
});

describe('fixture helpers', () => {
  it('find the fixture files under test/fixtures/openfront, with or without the .json suffix', () => {
    expect(fixturePath('player_info')).toBe(fixturePath('player_info.json'));
    expect(fixturePath('player_info')).toMatch(/test[/\\]fixtures[/\\]openfront[/\\]player_info\.json$/);
    expect(existsSync(fixturePath('player_info'))).toBe(true);
    expect(readFixture('player_not_found')).toEqual({ error: 'Not found', message: 'Player not found' });
  });
});

describe('generatedSessions', () => {
  it('makes public sessions, newest first, with unique ids, the given tag and exactly the given wins', () => {
    const sessions = generatedSessions(500, { wins: 123, tag: 'ABC' });
    expect(sessions).toHaveLength(500);
    expect(sessions.filter((session) => session.hasWon)).toHaveLength(123);
    expect(new Set(sessions.map((session) => session.gameId)).size).toBe(500);
    expect(sessions.every((session) => session.gameType === 'Public' && session.clanTag === 'ABC')).toBe(true);
    const starts = sessions.map((session) => Date.parse(session.gameStart as string));
    expect(starts.every((start, index) => index === 0 || start < starts[index - 1])).toBe(true);
    expect(sessions.every((session) => Date.parse(session.gameEnd as string) > Date.parse(session.gameStart as string))).toBe(true);
  });

  it('leaves sessions untagged by default and refuses more wins than sessions', () => {
    expect(generatedSessions(3, { wins: 0 }).map((session) => [session.clanTag, session.hasWon])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
    expect(() => generatedSessions(3, { wins: 4 })).toThrow(RangeError);
  });

  it('are served in pages like any other sessions', async () => {
    const fake = await OpenFrontFake.start();
    try {
      fake.addPlayer(PLAYER, { sessions: generatedSessions(250, { wins: 40 }) });
      let cursor: string | null = null;
      let wins = 0;
      let pages = 0;
      do {
        const query: string = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
        const page = (await (await fetch(`${fake.url}/public/player/${PLAYER}/sessions${query}`)).json()) as SessionsPage;
        wins += page.results.filter((session) => session.hasWon).length;
        pages += 1;
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect({ pages, wins }).toEqual({ pages: 3, wins: 40 });
    } finally {
      await fake.stop();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
