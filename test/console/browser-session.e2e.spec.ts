import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { ManualClock } from '@herald/core';
import { DISCORD_PERMISSIONS } from '../fakes/discord.fake';
import { ConsoleHarness, PUBLIC_URL, setCookies, type SignedIn } from './console-harness';

const ADMIN = { id: '90000000000000001', username: 'ada', global_name: 'Ada' };
const MEMBER = { id: '90000000000000002', username: 'bo', global_name: null };
const GUILD = '713425648685547541';
const OTHER_GUILD = '713425648685547542';
const CSRF_REQUIRED = 'A CSRF token is required for this write (X-CSRF-Token).';

/** A WebSocket on /ws with the given cookie and Origin; resolves to its first message, or how it closed. */
function openSocket(port: number, headers: Record<string, string>): Promise<{ message?: { type: string; userId?: string }; closed?: { code: number; reason: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.once('error', reject);
    ws.once('message', (data) => {
      resolve({ message: JSON.parse(data.toString()) });
      ws.terminate();
    });
    ws.once('close', (code, reason) => resolve({ closed: { code, reason: reason.toString() } }));
  });
}

describe('the web console session on the REST API and the socket', () => {
  const clock = new ManualClock(new Date());
  let harness: ConsoleHarness;
  let admin: SignedIn;
  let member: SignedIn;

  beforeAll(async () => {
    harness = await ConsoleHarness.start({ clock });
    await harness.registerGuild(GUILD, 'Studio');
    await harness.registerGuild(OTHER_GUILD, 'Elsewhere');
    admin = await harness.signIn({ user: ADMIN, guilds: [{ id: GUILD, name: 'Studio', permissions: DISCORD_PERMISSIONS.administrator }] });
    member = await harness.signIn({
      user: MEMBER,
      guilds: [
        { id: GUILD, name: 'Studio' },
        { id: OTHER_GUILD, name: 'Elsewhere', permissions: DISCORD_PERMISSIONS.none },
      ],
    });
  });
  afterAll(() => harness.close());

  const port = () => (harness.herald.app.getHttpServer().address() as AddressInfo).port;
  const presenceEvents = async (userId: string) => (await harness.herald.eventStore.readStream(`presence-${userId}`)).length;
  const clanTags = async () => (await harness.call('get', `/api/v1/guilds/${GUILD}/clan-tags`).expect(200)).body.items;

  it('refuses a write with the cookie but without the CSRF token (403), and nothing changes', async () => {
    const refused = await harness.asBrowser('put', '/api/v1/presence/status', admin, { csrf: false, body: { status: 'in_studio' } }).expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 403, detail: CSRF_REQUIRED });
    const wrong = await harness
      .asBrowser('post', `/api/v1/guilds/${GUILD}/clan-tags`, { ...admin, csrfToken: member.csrfToken }, { body: { tag: 'ABC' } })
      .expect(403);
    expect(wrong.body.detail).toBe(CSRF_REQUIRED);

    await harness.herald.projections.waitUntilCaughtUp();
    expect(await presenceEvents(ADMIN.id)).toBe(0);
    expect(await clanTags()).toEqual([]);
    expect(await harness.events('ClanTagAdded')).toEqual([]);
  });

  it('takes the same writes with the CSRF token', async () => {
    await harness.asBrowser('put', '/api/v1/presence/status', admin, { body: { status: 'in_studio', message: 'mixing' } }).expect(200);
    await harness.asBrowser('post', `/api/v1/guilds/${GUILD}/clan-tags`, admin, { body: { tag: 'abc' } }).expect(201);

    expect(await presenceEvents(ADMIN.id)).toBe(1);
    const [added] = await harness.events('ClanTagAdded');
    expect(added.metadata).toMatchObject({ source: 'rest', actorId: ADMIN.id });
    await harness.herald.projections.waitUntilCaughtUp();
    expect(await clanTags()).toEqual(['ABC']);
  });

  it('needs no CSRF token for a write with a bearer token', async () => {
    const token = (await harness.call('post', `/api/v1/users/${MEMBER.id}/tokens`, { body: {} }).expect(201)).body.token as string;
    await harness.herald.projections.waitUntilCaughtUp();
    await harness.call('put', '/api/v1/presence/status', { token, body: { status: 'online' } }).expect(200);
    expect(await presenceEvents(MEMBER.id)).toBe(1);
  });

  it("keeps a session that administers no guild out of a guild's pages and API calls (403)", async () => {
    expect(member.session).toMatchObject({ scopes: [`user:${MEMBER.id}`], adminGuilds: [] });
    await harness.asBrowser('get', `/api/v1/guilds/${GUILD}/settings`, member).expect(403);
    await harness.asBrowser('post', `/api/v1/guilds/${GUILD}/clan-tags`, member, { body: { tag: 'XYZ' } }).expect(403);
    await harness.asBrowser('get', `/api/v1/guilds/${OTHER_GUILD}/audit`, member).expect(403);
    await harness.asBrowser('get', `/api/v1/guilds/${OTHER_GUILD}/settings`, admin).expect(403);
    await harness.asBrowser('get', `/api/v1/guilds/${GUILD}/settings`, admin).expect(200);
    expect(await clanTags()).toEqual(['ABC']);
  });

  it("accepts the cookie on /ws from Herald's own pages only", async () => {
    const cookie = { Cookie: admin.cookie };
    for (const origin of [`http://127.0.0.1:${port()}`, PUBLIC_URL]) {
      expect(await openSocket(port(), { ...cookie, Origin: origin })).toEqual({ message: { type: 'ready', userId: ADMIN.id } });
    }
    for (const headers of [{ ...cookie, Origin: 'https://evil.example' }, { ...cookie, Origin: `http://127.0.0.1:${port() + 1}` }, cookie]) {
      const refused = await openSocket(port(), headers);
      expect(refused.message).toMatchObject({ type: 'error', code: 4403 });
    }
  });

  it('signs out: the CSRF token is needed, then the session is revoked and its cookie refused everywhere', async () => {
    const leaving = await harness.signIn({ user: { id: '90000000000000003', username: 'cy' } });
    await harness.asBrowser('post', '/auth/sign-out', leaving, { csrf: false }).expect(403);
    await harness.asBrowser('get', '/auth/session', leaving).expect(200);

    const signedOut = await harness.asBrowser('post', '/auth/sign-out', leaving).expect(204);
    expect(setCookies(signedOut)).toEqual([expect.stringMatching(/^herald_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/)]);
    const [revoked] = (await harness.events('ApiTokenRevoked')).filter((event) => event.streamId === 'user-90000000000000003');
    expect(revoked.metadata).toMatchObject({ actorId: '90000000000000003' });

    await harness.asBrowser('get', '/auth/session', leaving).expect(401);
    await harness.asBrowser('get', '/api/v1/me', leaving).expect(401);
    await harness.asBrowser('put', '/api/v1/presence/status', leaving, { body: { status: 'online' } }).expect(401);
    expect((await openSocket(port(), { Cookie: leaving.cookie, Origin: PUBLIC_URL })).message).toMatchObject({ type: 'error', code: 4401 });
  });

  it('ends a session after WEB_SESSION_TTL_HOURS (12 by default)', async () => {
    const session = await harness.signIn({ user: { id: '90000000000000004', username: 'di' } });
    clock.advance(12 * 3_600_000 - 60_000);
    await harness.asBrowser('get', '/auth/session', session).expect(200);
    clock.advance(2 * 60_000);
    try {
      await harness.asBrowser('get', '/auth/session', session).expect(401);
      expect((await openSocket(port(), { Cookie: session.cookie, Origin: PUBLIC_URL })).message).toMatchObject({ type: 'error', code: 4401 });
    } finally {
      clock.advance(-(12 * 3_600_000 + 60_000));
    }
  });

  it('leaves the sign-in routes open and every other route closed to a browser without a session', async () => {
    const http = request(harness.herald.app.getHttpServer());
    await http.get('/auth/discord').expect(302);
    await http.get('/api/v1/me').expect(401);
    await http.post('/auth/sign-out').expect(401);
  });
});
