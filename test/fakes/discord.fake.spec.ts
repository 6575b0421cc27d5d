import { DiscordAPIError, REST, Routes } from 'discord.js';
import { DiscordFake, FAKE_DISCORD_APP } from './discord.fake';

const GUILD = '111111111111111111';
const MEMBER = '222222222222222222';
const CHAMPION = '333333333333333333';
const VETERAN = '444444444444444444';
const ABOVE_BOT = '555555555555555555';
const TOKEN = 'test-bot-token';

describe('DiscordFake', () => {
  let fake: DiscordFake;
  let rest: REST;

  beforeEach(async () => {
    fake = await DiscordFake.start();
    fake.addGuild(GUILD, {
      name: 'Falcons',
      roles: [
        { id: VETERAN, name: 'Veteran', permissions: '0' },
        { id: CHAMPION, name: 'Champion', permissions: '0' },
        { id: ABOVE_BOT, name: 'Admins', permissions: '8', position: 10 },
      ],
    });
    fake.setMember(GUILD, MEMBER, [VETERAN]);
    rest = new REST({ api: fake.apiUrl, retries: 0, timeout: 2000 }).setToken(TOKEN);
  });
  afterEach(() => fake.stop());

  const call = (method: string, path: string, headers: Record<string, string> = { Authorization: `Bot ${TOKEN}` }) =>
    fetch(`${fake.apiUrl}/v10${path}`, { method, headers });

  describe('with discord.js REST', () => {
    it('adds and removes a member role, idempotently, recording the audit-log reason', async () => {
      await rest.put(Routes.guildMemberRole(GUILD, MEMBER, CHAMPION), { reason: 'Wins: 12 ≥ 10' });
      await rest.put(Routes.guildMemberRole(GUILD, MEMBER, CHAMPION));
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([VETERAN, CHAMPION]);

      await rest.delete(Routes.guildMemberRole(GUILD, MEMBER, VETERAN));
      await rest.delete(Routes.guildMemberRole(GUILD, MEMBER, VETERAN));
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([CHAMPION]);

      expect(fake.requests[0]).toEqual({
        method: 'PUT',
        path: `/api/v10/guilds/${GUILD}/members/${MEMBER}/roles/${CHAMPION}`,
        at: expect.any(Number),
        status: 204,
        reason: 'Wins: 12 ≥ 10',
      });
      expect(fake.requests.map((request) => request.status)).toEqual([204, 204, 204, 204]);
    });

    it('reads a member with their role ids', async () => {
      const member = (await rest.get(Routes.guildMember(GUILD, MEMBER))) as { user: { id: string; username: string }; roles: string[]; joined_at: string };
      expect(member).toEqual(
        expect.objectContaining({ user: expect.objectContaining({ id: MEMBER, username: expect.any(String) }), roles: [VETERAN] }),
      );
      expect(Number.isNaN(Date.parse(member.joined_at))).toBe(false);
    });

    it('reads the guild and its roles, @everyone included', async () => {
      const guild = (await rest.get(Routes.guild(GUILD))) as { id: string; name: string; roles: { id: string; name: string; permissions: string }[] };
      const roles = (await rest.get(Routes.guildRoles(GUILD))) as { id: string; name: string; position: number }[];
      expect(guild).toEqual(expect.objectContaining({ id: GUILD, name: 'Falcons' }));
      expect(guild.roles.map((role) => role.name)).toEqual(['@everyone', 'Veteran', 'Champion', 'Admins']);
      expect(roles.map((role) => [role.id, role.position])).toEqual([
        [GUILD, 0],
        [VETERAN, 1],
        [CHAMPION, 2],
        [ABOVE_BOT, 10],
      ]);
    });

    it('surfaces 50013 for a role above the bot, and leaves the member unchanged', async () => {
      fake.denyRole(GUILD, ABOVE_BOT);
      const error = await rest.put(Routes.guildMemberRole(GUILD, MEMBER, ABOVE_BOT)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DiscordAPIError);
      expect(error).toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([VETERAN]);
    });

    it('surfaces 10011 for a deleted role, which every member also loses', async () => {
      fake.deleteRole(GUILD, VETERAN);
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([]);
      const error = await rest.delete(Routes.guildMemberRole(GUILD, MEMBER, VETERAN)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DiscordAPIError);
      expect(error).toMatchObject({ status: 404, code: 10011 });
    });

    it('waits for retry_after on a 429 and then succeeds, the fake seeing the retried request', async () => {
      fake.rateLimitNext(1, 0.2);
      const startedAt = Date.now();
      await rest.put(Routes.guildMemberRole(GUILD, MEMBER, CHAMPION));
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
      expect(fake.requests.map((request) => [request.method, request.status])).toEqual([
        ['PUT', 429],
        ['PUT', 204],
      ]);
      expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(200);
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([VETERAN, CHAMPION]);
    });
  });

  describe('over plain HTTP', () => {
    it('refuses requests without the bot token with 401', async () => {
      const headerSets: Record<string, string>[] = [{}, { Authorization: 'Bot wrong-token' }, { Authorization: TOKEN }];
      for (const headers of headerSets) {
        const response = await call('GET', `/guilds/${GUILD}/members/${MEMBER}`, headers);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ message: '401: Unauthorized', code: 0 });
      }
      expect(fake.count({ pathIncludes: '/members/' })).toBe(3);
    });

    it('answers unknown guilds, members and roles with Discord error bodies', async () => {
      const cases: [string, string, number, number, string][] = [
        ['GET', `/guilds/999999999999999999`, 404, 10004, 'Unknown Guild'],
        ['PUT', `/guilds/999999999999999999/members/${MEMBER}/roles/${CHAMPION}`, 404, 10004, 'Unknown Guild'],
        ['GET', `/guilds/${GUILD}/members/999999999999999999`, 404, 10007, 'Unknown Member'],
        ['PUT', `/guilds/${GUILD}/members/999999999999999999/roles/${CHAMPION}`, 404, 10007, 'Unknown Member'],
        ['PUT', `/guilds/${GUILD}/members/${MEMBER}/roles/999999999999999999`, 404, 10011, 'Unknown Role'],
      ];
      for (const [method, path, status, code, message] of cases) {
        const response = await call(method, path);
        expect([method, path, response.status, await response.json()]).toEqual([method, path, status, { message, code }]);
      }
    });

    it('answers 404 to unknown routes and 405 to unknown methods', async () => {
      expect((await call('GET', '/channels/1/messages')).status).toBe(404);
      const wrongMethod = await call('POST', `/guilds/${GUILD}/members/${MEMBER}`);
      expect(wrongMethod.status).toBe(405);
      expect(await wrongMethod.json()).toEqual({ message: '405: Method Not Allowed', code: 0 });
    });

    it('sends 429 with the body and headers Discord sends, for the next N requests only', async () => {
      fake.rateLimitNext(2, 1.5);
      const first = await call('GET', `/guilds/${GUILD}`);
      expect(first.status).toBe(429);
      expect(await first.json()).toEqual({ message: 'You are being rate limited.', retry_after: 1.5, global: false });
      expect(first.headers.get('retry-after')).toBe('1.5');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(first.headers.get('x-ratelimit-reset-after')).toBe('1.500');
      expect(first.headers.get('x-ratelimit-scope')).toBe('user');
      expect(first.headers.has('x-ratelimit-global')).toBe(false);
      expect((await call('GET', `/guilds/${GUILD}`)).status).toBe(429);
      expect((await call('GET', `/guilds/${GUILD}`)).status).toBe(200);
    });

    it('records interaction callbacks and original-reply edits, which need no bot token', async () => {
      const callback = await fetch(`${fake.apiUrl}/v10/interactions/777777777777777777/interaction-token/callback`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 5, data: { flags: 64 } }),
      });
      expect(callback.status).toBe(204);

      const edit = await fetch(`${fake.apiUrl}/v10/webhooks/888888888888888888/interaction-token/messages/@original`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'Checked 3 members, 1 changed.' }),
      });
      expect(edit.status).toBe(200);
      expect(await edit.json()).toEqual(expect.objectContaining({ content: 'Checked 3 members, 1 changed.', application_id: '888888888888888888' }));

      expect(fake.requests.map((request) => [request.method, request.body])).toEqual([
        ['POST', { type: 5, data: { flags: 64 } }],
        ['PATCH', { content: 'Checked 3 members, 1 changed.' }],
      ]);
      expect(fake.count({ pathIncludes: '/interactions/' })).toBe(1);
    });

    it('counts by method and path, and reset forgets requests and pending 429s but keeps members', async () => {
      await call('PUT', `/guilds/${GUILD}/members/${MEMBER}/roles/${CHAMPION}`);
      await call('DELETE', `/guilds/${GUILD}/members/${MEMBER}/roles/${CHAMPION}`);
      await call('GET', `/guilds/${GUILD}`);
      expect(fake.count()).toBe(3);
      expect(fake.count({ method: 'put' })).toBe(1);
      expect(fake.count({ pathIncludes: '/roles/' })).toBe(2);

      fake.rateLimitNext(5, 1);
      fake.reset();
      expect(fake.requests).toEqual([]);
      expect((await call('GET', `/guilds/${GUILD}/members/${MEMBER}`)).status).toBe(200);
      expect(fake.memberRoles(GUILD, MEMBER)).toEqual([VETERAN]);
    });
  });

  it('refuses to set a member in a guild it does not know', () => {
    expect(() => fake.setMember('999999999999999999', MEMBER, [])).toThrow(/addGuild/);
  });

  describe('OAuth2 sign-in', () => {
    const REDIRECT = 'http://herald.test/auth/discord/callback';

    async function authorize(query: Record<string, string> = {}): Promise<Response> {
      const url = new URL(fake.oauthAuthorizeUrl);
      const params = { response_type: 'code', client_id: FAKE_DISCORD_APP.clientId, scope: 'identify guilds', redirect_uri: REDIRECT, state: 's1', ...query };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return fetch(url, { redirect: 'manual' });
    }

    const exchange = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(fake.oauthTokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });

    const codeFrom = async (answer: Response) => new URL(answer.headers.get('location')!).searchParams.get('code')!;

    it('sends the browser back with a code for the user the test chose, which buys the user and their guilds once', async () => {
      fake.nextSignIn({ user: { id: MEMBER, username: 'nelly', global_name: 'Nelly' }, guilds: [{ id: GUILD, name: 'Falcons', owner: true }] });
      const answer = await authorize();
      expect(answer.status).toBe(302);
      const back = new URL(answer.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('s1');

      const form = { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT };
      const basic = `Basic ${Buffer.from(`${FAKE_DISCORD_APP.clientId}:${FAKE_DISCORD_APP.clientSecret}`).toString('base64')}`;
      const token = await exchange(form, { Authorization: basic });
      expect(token.status).toBe(200);
      const body = (await token.json()) as { access_token: string; token_type: string };
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 604800, scope: 'identify guilds', refresh_token: expect.any(String) });
      expect((await exchange(form, { Authorization: basic })).status).toBe(400);

      const bearer = { Authorization: `Bearer ${body.access_token}` };
      expect(await (await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: bearer })).json()).toMatchObject({ id: MEMBER, username: 'nelly', global_name: 'Nelly', discriminator: '0' });
      expect(await (await fetch(`${fake.apiUrl}/v10/users/@me/guilds`, { headers: bearer })).json()).toEqual([
        { id: GUILD, name: 'Falcons', icon: null, banner: null, owner: true, permissions: '0', features: [] },
      ]);
      expect((await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
      expect(fake.issuedOAuthSecrets).toHaveLength(3);
    });

    it('refuses a wrong client (401), and a code for another redirect_uri (400 invalid_grant)', async () => {
      fake.nextSignIn({ user: { id: MEMBER, username: 'nelly' } });
      const code = await codeFrom(await authorize());
      const client = { client_id: FAKE_DISCORD_APP.clientId, client_secret: FAKE_DISCORD_APP.clientSecret };
      expect((await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...client, client_secret: 'wrong' })).status).toBe(401);
      const elsewhere = await exchange({ grant_type: 'authorization_code', code, redirect_uri: 'http://evil.example/cb', ...client });
      expect(elsewhere.status).toBe(400);
      expect(await elsewhere.json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('sends a refusing user back with error=access_denied, and answers an unknown client 400', async () => {
      fake.nextSignIn({ user: { id: MEMBER, username: 'nelly' }, refuse: true });
      const back = new URL((await authorize()).headers.get('location')!);
      expect(Object.fromEntries(back.searchParams)).toEqual({ error: 'access_denied', error_description: expect.any(String), state: 's1' });
      fake.nextSignIn({ user: { id: MEMBER, username: 'nelly' } });
      expect((await authorize({ client_id: '42' })).status).toBe(400);
    });
  });
});
