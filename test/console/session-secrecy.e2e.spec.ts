import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DISCORD_PERMISSIONS, DiscordFake, FAKE_DISCORD_APP } from '../fakes/discord.fake';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { expectNoSecretIn, stopAndCollectTraces, wholeResponseText } from '../support/secret-leak-scan';
import { signInEnv } from './console-harness';

const OPERATOR = 'operator-token-for-the-console-secrecy-test';
const GUILD = '913425648685547541';

/**
 * A whole run of a real Herald process, logging at `trace`, through every path the console's
 * secrets take: Discord sign-ins (codes, access tokens), their failures, an operator sign-in,
 * session reads and writes, a socket, and sign-outs. Afterwards Discord's client secret, every code
 * and token Discord issued and the operator token appear in no log line, event, API response or
 * data file; the session tokens appear only in the Set-Cookie headers that hand them to the browser.
 */
describe('the console’s secrets never appear in plain text', () => {
  let discord: DiscordFake;
  let herald: HeraldProcess | undefined;
  let dataDir: string;
  const responses: string[] = [];
  const bodies: string[] = [];
  const sessionTokens: string[] = [];

  beforeAll(async () => {
    discord = await DiscordFake.start();
    dataDir = mkdtempSync(join(tmpdir(), 'herald-console-secrecy-'));
  });
  afterAll(async () => {
    if (herald?.child.exitCode === null) herald.child.kill('SIGKILL');
    await discord?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Calls the running Herald and keeps the whole answer, and its body apart. */
  async function call(method: string, path: string, options: { token?: string; cookie?: string; csrf?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.Cookie = options.cookie;
    if (options.csrf) headers['X-CSRF-Token'] = options.csrf;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${herald!.baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
    const text = await response.text();
    responses.push(wholeResponseText(response, text));
    bodies.push(text);
    return { status: response.status, headers: response.headers, text };
  }

  /** `herald_session=<token>` from the answer's Set-Cookie, remembered as a secret. */
  function sessionCookie(headers: Headers): string {
    const cookie = headers.getSetCookie().map((header) => header.split(';')[0]).find((pair) => pair.startsWith('herald_session=') && pair.length > 20)!;
    sessionTokens.push(cookie.slice('herald_session='.length));
    return cookie;
  }

  /** The browser's trip through Discord; Herald's last answer. */
  async function discordTrip(user: { id: string; username: string }, guilds: Array<{ id: string; name: string; permissions?: string }> = []) {
    discord.nextSignIn({ user, guilds });
    const begun = await call('GET', '/auth/discord');
    const stateCookie = begun.headers.getSetCookie()[0].split(';')[0];
    const authorized = await fetch(begun.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorized.headers.get('location')!);
    return call('GET', callback.pathname + callback.search, { cookie: stateCookie });
  }

  const signIn = async (...trip: Parameters<typeof discordTrip>) => sessionCookie((await discordTrip(...trip)).headers);

  it('keeps them out of every log line, event, API response and data file of a full run', async () => {
    herald = await spawnHerald({ ...signInEnv(discord), HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: OPERATOR, LOG_LEVEL: 'trace', HERALD_POLL_INTERVAL_MS: '50' });
    discord.addGuild(GUILD, { name: 'Secret Hall' });
    expect((await call('PUT', `/api/v1/guilds/${GUILD}`, { token: OPERATOR, body: { name: 'Secret Hall' } })).status).toBe(201);

    const admin = await signIn({ id: '91000000000000001', username: 'ada' }, [{ id: GUILD, name: 'Secret Hall', permissions: DISCORD_PERMISSIONS.administrator }]);
    const member = await signIn({ id: '91000000000000002', username: 'bo' });
    discord.failOAuth('token', 500);
    expect((await discordTrip({ id: '91000000000000003', username: 'cy' })).headers.get('location')).toBe('/sign-in?error=discord_unavailable');
    discord.failOAuth('guilds', 500, 500, 500);
    expect((await discordTrip({ id: '91000000000000003', username: 'cy' })).headers.get('location')).toBe('/sign-in?error=discord_unavailable');

    const operator = sessionCookie((await call('POST', '/auth/operator', { body: { token: OPERATOR } })).headers);
    expect((await call('POST', '/auth/operator', { body: { token: `${OPERATOR}-wrong` } })).status).toBe(401);

    const csrfTokens = new Map<string, string>();
    for (const cookie of [admin, member, operator]) {
      const session = await call('GET', '/auth/session', { cookie });
      expect(session.status).toBe(200);
      const { csrfToken, userId } = JSON.parse(session.text) as { csrfToken: string; userId: string };
      csrfTokens.set(cookie, csrfToken);
      await call('GET', `/api/v1/users/${userId}/tokens`, { cookie });
      await call('GET', `/api/v1/users/${userId}/audit?pageSize=100`, { cookie });
      await call('PUT', '/api/v1/presence/status', { cookie, body: { status: 'online' } });
      await call('PUT', '/api/v1/presence/status', { cookie, csrf: csrfToken, body: { status: 'in_studio' } });
    }
    await call('GET', `/api/v1/guilds/${GUILD}/audit?pageSize=100`, { cookie: admin });
    await call('GET', '/api/v1/admin/projections', { cookie: operator });
    await call('GET', '/metrics', { token: OPERATOR });
    await call('GET', '/api/docs-json', { token: OPERATOR });

    const ready = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${herald!.baseUrl.replace('http', 'ws')}/ws`, { headers: { Cookie: admin, Origin: herald!.baseUrl } });
      ws.once('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
      ws.once('error', reject);
    });
    bodies.push(ready);
    expect(JSON.parse(ready)).toMatchObject({ type: 'ready' });

    for (const [cookie, csrf] of csrfTokens) expect((await call('POST', '/auth/sign-out', { cookie, csrf })).status).toBe(204);

    const traces = await stopAndCollectTraces(herald, dataDir, responses);
    const { logs, logLines, eventTexts } = traces;

    // The capture is real: the run logged at trace level, and the events hold the sessions.
    expect(logLines.length).toBeGreaterThan(40);
    expect(logs).toContain('user 91000000000000001 signed in to the console');
    expect(logs).toContain('sign-in with Discord failed (discord_unavailable)');
    expect(eventTexts.filter((text) => text.includes('"ApiTokenIssued"') && text.includes('web console session'))).toHaveLength(3);
    expect(eventTexts.filter((text) => text.includes('"ApiTokenRevoked"'))).toHaveLength(3);
    expect(responses.length).toBeGreaterThan(25);

    const discordSecrets = [FAKE_DISCORD_APP.clientSecret, ...discord.issuedOAuthSecrets];
    expect(discordSecrets.length).toBeGreaterThanOrEqual(10);
    expectNoSecretIn(traces, [...discordSecrets, OPERATOR]);
    expect(sessionTokens).toHaveLength(3);
    expectNoSecretIn({ ...traces, responses: bodies }, sessionTokens);
  });
});
