import request from 'supertest';
import { ManualClock } from '@herald/core';
import { DISCORD_PERMISSIONS, DiscordFake, type DiscordFakeSignIn } from '../fakes/discord.fake';
import { type HeraldUnderTest, OPERATOR_TOKEN, startHerald } from '../support/herald-test-app';
import { ConsoleHarness, cookieNamed, PUBLIC_URL, setCookies, signInEnv } from './console-harness';

const NELLY: DiscordFakeSignIn['user'] = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly' };
const GUILDS = { owned: '613425648685547541', administered: '613425648685547542', managed: '613425648685547543', member: '613425648685547544', unknown: '613425648685547545' };

describe('signing in to the web console', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
    await harness.registerGuild(GUILDS.owned, 'Owned Lounge');
    await harness.registerGuild(GUILDS.administered, 'Admin Hall');
    await harness.registerGuild(GUILDS.managed, 'Managed Den');
    await harness.registerGuild(GUILDS.member, 'Member Club');
  });
  afterAll(() => harness.close());

  const sessionTokensIssued = async () => (await harness.events('ApiTokenIssued')).filter((event) => event.data.session !== undefined).length;

  it('goes through Discord and back, leaving the session only in an HttpOnly, SameSite=Lax cookie (not Secure over plain HTTP)', async () => {
    const { begun, authorize, callback, landed } = await harness.discordTrip({ user: NELLY });

    expect(authorize.origin + authorize.pathname).toBe(harness.discord.oauthAuthorizeUrl);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      response_type: 'code',
      client_id: expect.any(String),
      scope: 'identify guilds',
      redirect_uri: `${PUBLIC_URL}/auth/discord/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(setCookies(begun).join('\n')).toMatch(/^herald_sign_in_state=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/auth\/discord; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    expect(landed.headers.location).toBe('/');
    const [session, clearedState] = [...setCookies(landed)].sort();
    expect(session).toMatch(/^herald_session=hrld_[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(clearedState).toMatch(/^herald_sign_in_state=; Path=\/auth\/discord; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    expect(landed.text).not.toContain('hrld_');
  });

  it('scopes the session to the user and to the guilds they administer on Discord that Herald serves', async () => {
    const signedIn = await harness.signIn({
      user: NELLY,
      guilds: [
        { id: GUILDS.owned, name: 'Owned Lounge', owner: true },
        { id: GUILDS.administered, name: 'Admin Hall', permissions: DISCORD_PERMISSIONS.administrator },
        { id: GUILDS.managed, name: 'Managed Den', permissions: String(0x20 | 0x400) },
        { id: GUILDS.member, name: 'Member Club', permissions: String(0x400 | 0x800) },
        { id: GUILDS.unknown, name: 'Not on Herald', owner: true },
      ],
    });

    const before = Date.now();
    expect(signedIn.session).toEqual({
      userId: NELLY.id,
      displayName: 'Nelly',
      operator: false,
      scopes: [`user:${NELLY.id}`, `guild:${GUILDS.owned}:admin`, `guild:${GUILDS.administered}:admin`, `guild:${GUILDS.managed}:admin`],
      adminGuilds: [
        { guildId: GUILDS.owned, name: 'Owned Lounge' },
        { guildId: GUILDS.administered, name: 'Admin Hall' },
        { guildId: GUILDS.managed, name: 'Managed Den' },
      ],
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const hoursLeft = (Date.parse(signedIn.session.expiresAt as string) - before) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(11.9);
    expect(hoursLeft).toBeLessThanOrEqual(12);

    // The session is a personal token: audited on the user's stream, listed with their tokens, never shown.
    const issued = (await harness.events('ApiTokenIssued')).filter((event) => event.streamId === `user-${NELLY.id}`).pop()!;
    expect(issued.data).toMatchObject({ label: 'web console session', session: { displayName: 'Nelly' } });
    expect(issued.metadata).toMatchObject({ source: 'rest', actorId: NELLY.id, userId: NELLY.id });
    const listed = await harness.asBrowser('get', `/api/v1/users/${NELLY.id}/tokens`, signedIn).expect(200);
    expect(listed.body.items.map((token: { label: string }) => token.label)).toContain('web console session');
    for (const text of [JSON.stringify(signedIn.session), listed.text, JSON.stringify(issued)]) expect(text).not.toContain(signedIn.token);
  });

  it("names the session after the user's username when they have no global name", async () => {
    const signedIn = await harness.signIn({ user: { id: '80351110224678913', username: 'plainname', global_name: null } });
    expect(signedIn.session).toMatchObject({ displayName: 'plainname', scopes: ['user:80351110224678913'], adminGuilds: [] });
  });

  describe('names every failure on /sign-in, and opens no session', () => {
    const errorOf = (landed: request.Response) => {
      expect(cookieNamed(landed, 'herald_session')).toBeUndefined();
      const location = new URL(landed.headers.location as string, PUBLIC_URL);
      expect(location.pathname).toBe('/sign-in');
      return location.searchParams.get('error');
    };

    it('access_denied when the user refuses on Discord', async () => {
      const before = await sessionTokensIssued();
      const { callback, landed } = await harness.discordTrip({ user: NELLY, refuse: true });
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(errorOf(landed)).toBe('access_denied');
      expect(await sessionTokensIssued()).toBe(before);
    });

    it.each([
      ['no state cookie (the sign-in began in another browser)', (trip: { callback: URL }) => ({ callback: trip.callback, stateCookie: undefined })],
      [
        'a state that is not the cookie’s (a forged redirect)',
        (trip: { callback: URL; stateCookie: string | undefined }) => {
          const forged = new URL(trip.callback);
          forged.searchParams.set('state', 'A'.repeat(43));
          return { callback: forged, stateCookie: trip.stateCookie };
        },
      ],
      [
        'no state at all',
        (trip: { callback: URL; stateCookie: string | undefined }) => {
          const stripped = new URL(trip.callback);
          stripped.searchParams.delete('state');
          return { callback: stripped, stateCookie: trip.stateCookie };
        },
      ],
    ])('invalid_state for %s', async (_case, tamper) => {
      const before = await sessionTokensIssued();
      expect(errorOf((await harness.discordTrip({ user: NELLY }, tamper)).landed)).toBe('invalid_state');
      expect(await sessionTokensIssued()).toBe(before);
    });

    it('discord_refused when Discord rejects the code (used already)', async () => {
      const first = await harness.discordTrip({ user: NELLY });
      expect(first.landed.headers.location).toBe('/');
      const before = await sessionTokensIssued();
      const replayed = await request(harness.herald.app.getHttpServer())
        .get(first.callback.pathname + first.callback.search)
        .set('Cookie', cookieNamed(first.begun, 'herald_sign_in_state')!)
        .expect(302);
      expect(errorOf(replayed)).toBe('discord_refused');
      expect(await sessionTokensIssued()).toBe(before);
    });

    it.each([
      ['its token endpoint fails', 'token' as const, [500]],
      ['/users/@me keeps failing', 'me' as const, [503, 502, 500]],
      ['/users/@me/guilds keeps failing', 'guilds' as const, [500, 500, 500]],
    ])('discord_unavailable when %s', async (_case, route, statuses) => {
      const before = await sessionTokensIssued();
      harness.discord.failOAuth(route, ...statuses);
      expect(errorOf((await harness.discordTrip({ user: NELLY })).landed)).toBe('discord_unavailable');
      expect(await sessionTokensIssued()).toBe(before);
    });

    it('signs in after a passing failure of /users/@me (retried)', async () => {
      harness.discord.failOAuth('me', 503);
      expect((await harness.discordTrip({ user: NELLY })).landed.headers.location).toBe('/');
    });
  });

  it('opens an operator session for the operator token, and answers a wrong one 401 without a cookie', async () => {
    const operator = await harness.signInOperator();
    expect(operator.session).toEqual({
      userId: 'operator',
      displayName: 'Operator',
      operator: true,
      scopes: ['operator'],
      adminGuilds: [],
      csrfToken: expect.any(String),
      expiresAt: expect.any(String),
    });
    await harness.asBrowser('get', '/api/v1/admin/plugins', operator).expect(200);

    const wrong = await request(harness.herald.app.getHttpServer()).post('/auth/operator').send({ token: `${OPERATOR_TOKEN}x` }).expect(401);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(setCookies(wrong)).toEqual([]);
    await request(harness.herald.app.getHttpServer()).post('/auth/operator').send({}).expect(400);

    const operatorEvents = (await harness.events('ApiTokenIssued')).filter((event) => event.streamId === 'user-operator');
    expect(operatorEvents).toHaveLength(1);
    expect(JSON.stringify(operatorEvents)).not.toContain(OPERATOR_TOKEN);
  });

  it('answers /auth/session 401 without a session, and for a bearer token', async () => {
    const none = await request(harness.herald.app.getHttpServer()).get('/auth/session').expect(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    await harness.call('get', '/auth/session').expect(401);
  });
});

describe('guessing the operator token', () => {
  const clock = new ManualClock('2026-11-22T08:00:00.000Z');
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await ConsoleHarness.start({ clock });
  });
  afterAll(() => harness.close());

  const signIn = (token: string) => request(harness.herald.app.getHttpServer()).post('/auth/operator').send({ token });

  it('answers 429 with Retry-After after five wrong tokens, even to the right one, until the first is 15 minutes old', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signIn(`${OPERATOR_TOKEN}${attempt}`).expect(401);
      clock.advance(60_000);
    }

    const refused = await signIn(OPERATOR_TOKEN).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('auth-too-many-attempts') });
    expect(refused.headers['retry-after']).toBe(String(10 * 60));
    expect(setCookies(refused)).toEqual([]);
    expect((await harness.events('ApiTokenIssued')).filter((event) => event.streamId === 'user-operator')).toEqual([]);

    clock.advance(10 * 60_000);
    await signIn(OPERATOR_TOKEN).expect(204);
  });
});

describe('signing in on a Herald served over TLS, without a Discord application', () => {
  let discord: DiscordFake;
  let herald: HeraldUnderTest;

  beforeAll(async () => {
    discord = await DiscordFake.start();
    const { DISCORD_CLIENT_ID: _id, DISCORD_CLIENT_SECRET: _secret, ...env } = signInEnv(discord);
    herald = await startHerald({ ...env, HERALD_PUBLIC_URL: 'https://herald.test' });
  });
  afterAll(async () => {
    await herald.close();
    await discord.stop();
  });

  it('marks the session cookie Secure', async () => {
    const answer = await request(herald.app.getHttpServer()).post('/auth/operator').send({ token: OPERATOR_TOKEN }).expect(204);
    expect(setCookies(answer)).toEqual([expect.stringMatching(/^herald_session=hrld_[^;]+; Max-Age=43200; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/)]);
  });

  it('sends a Discord sign-in to /sign-in?error=not_configured, at the start and at the callback', async () => {
    await request(herald.app.getHttpServer()).get('/auth/discord').expect(302).expect('Location', '/sign-in?error=not_configured');
    await request(herald.app.getHttpServer()).get('/auth/discord/callback?code=abc&state=def').expect(302).expect('Location', '/sign-in?error=not_configured');
    expect(discord.requests).toEqual([]);
  });
});
