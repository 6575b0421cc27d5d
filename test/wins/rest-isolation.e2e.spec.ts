import { READ_STORE, type ReadStore } from '@herald/readstore';
import { type Method, PLAYERS, WinsRestHarness } from './rest-harness';

/** Two guilds never see each other's data through any route or token; removing a guild leaves nothing of it. */

const GUILD_A = '640000000000000001';
const GUILD_B = '650000000000000001';
const UNKNOWN_GUILD = '660000000000000001';
const ADMIN_A = '740000000000000001';
const MEMBER_A = '740000000000000002';
const MEMBER_B = '750000000000000002';
const ROLE_A = '641000000000000005';
const ROLE_B = '651000000000000005';
const OTHER_ROLE = '651000000000000099';

interface Route {
  method: Method;
  path: string;
  body?: unknown;
}

/** Every wins route of `guildId`, with a valid request for each. */
function routesOf(guildId: string, ids: { userId: string; runId: string; roleId: string }): Route[] {
  const guild = `/api/v1/guilds/${guildId}`;
  return [
    { method: 'put', path: guild, body: {} },
    { method: 'delete', path: `${guild}?confirm=true` },
    { method: 'get', path: `${guild}/settings` },
    { method: 'patch', path: `${guild}/settings`, body: { syncIntervalHours: 12 } },
    { method: 'put', path: `${guild}/links/${ids.userId}`, body: { playerId: PLAYERS.current } },
    { method: 'delete', path: `${guild}/links/${ids.userId}` },
    { method: 'get', path: `${guild}/players/${ids.userId}` },
    { method: 'get', path: `${guild}/players?limit=10` },
    { method: 'post', path: `${guild}/sync`, body: {} },
    { method: 'get', path: `${guild}/sync/${ids.runId}` },
    { method: 'get', path: `${guild}/role-thresholds` },
    { method: 'put', path: `${guild}/role-thresholds/50`, body: { roleId: ids.roleId } },
    { method: 'delete', path: `${guild}/role-thresholds/5` },
    { method: 'get', path: `${guild}/clan-tags` },
    { method: 'post', path: `${guild}/clan-tags`, body: { tag: 'QQ' } },
    { method: 'delete', path: `${guild}/clan-tags/ABC` },
    { method: 'get', path: `${guild}/admin-roles` },
    { method: 'put', path: `${guild}/admin-roles/${ids.roleId}` },
    { method: 'delete', path: `${guild}/admin-roles/${ids.roleId}` },
  ];
}

describe('wins REST: guild isolation and removal', () => {
  let harness: WinsRestHarness;
  let adminAToken: string;
  let memberAToken: string;
  let runB: string;

  beforeAll(async () => {
    harness = await WinsRestHarness.start();
    await harness.registerGuild(GUILD_A, [ROLE_A]);
    await harness.registerGuild(GUILD_B, [ROLE_B, OTHER_ROLE]);
    harness.discord.setMember(GUILD_A, ADMIN_A, []);
    harness.discord.setMember(GUILD_A, MEMBER_A, []);
    harness.discord.setMember(GUILD_B, MEMBER_B, []);
    for (const [guildId, roleId, userId] of [
      [GUILD_A, ROLE_A, MEMBER_A],
      [GUILD_B, ROLE_B, MEMBER_B],
    ]) {
      await harness.call('put', `/api/v1/guilds/${guildId}/role-thresholds/5`, { body: { roleId } }).expect(200);
      await harness.call('post', `/api/v1/guilds/${guildId}/clan-tags`, { body: { tag: 'ABC' } }).expect(201);
      await harness.settle(guildId);
      await harness.call('put', `/api/v1/guilds/${guildId}/links/${userId}`, { body: { playerId: PLAYERS.current } }).expect(200);
    }
    await harness.call('put', `/api/v1/guilds/${GUILD_B}/admin-roles/${OTHER_ROLE}`).expect(204);
    runB = (await harness.syncAndWait(GUILD_B)).runId as string;
    await harness.syncAndWait(GUILD_A);
    adminAToken = await harness.tokenFor(ADMIN_A, [`guild:${GUILD_A}:admin`]);
    memberAToken = await harness.tokenFor(MEMBER_A);
  });
  afterAll(() => harness?.close());

  describe('a guild-A admin token', () => {
    it.each(routesOf(GUILD_B, { userId: MEMBER_B, runId: '00000000-0000-4000-8000-000000000000', roleId: OTHER_ROLE }))(
      'gets 403 on $method $path and changes nothing',
      async ({ method, path, body }) => {
        const before = await harness.herald.eventStore.headPosition();
        const response = await harness.call(method, path, { token: adminAToken, body }).expect(403);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(await harness.herald.eventStore.headPosition()).toBe(before);
      },
    );

    it("cannot reach guild B's run or member through guild A's routes", async () => {
      await harness.call('get', `/api/v1/guilds/${GUILD_A}/sync/${runB}`, { token: adminAToken }).expect(404);
      await harness.call('get', `/api/v1/guilds/${GUILD_A}/players/${MEMBER_B}`, { token: adminAToken }).expect(404);
    });

    it("sees only guild A's players on its leaderboard and only its own settings", async () => {
      const board = await harness.call('get', `/api/v1/guilds/${GUILD_A}/players`, { token: adminAToken }).expect(200);
      expect(board.body.items.map((p: { userId: string }) => p.userId)).toEqual([MEMBER_A]);
      const thresholds = await harness.call('get', `/api/v1/guilds/${GUILD_A}/role-thresholds`, { token: adminAToken }).expect(200);
      expect(thresholds.body).toEqual({ items: [{ wins: 5, roleId: ROLE_A }] });
      const admins = await harness.call('get', `/api/v1/guilds/${GUILD_A}/admin-roles`, { token: adminAToken }).expect(200);
      expect(admins.body.items).not.toContain(OTHER_ROLE);
    });

    it('may not register guilds: that is for the operator, for whom registering again changes nothing', async () => {
      await harness.call('put', `/api/v1/guilds/${GUILD_A}`, { token: adminAToken, body: {} }).expect(403);
      const before = await harness.herald.eventStore.headPosition();
      const again = await harness.call('put', `/api/v1/guilds/${GUILD_A}`, { body: { name: 'Renamed' } }).expect(200);
      expect(again.body).toEqual({ guildId: GUILD_A, name: `Guild ${GUILD_A}`, created: false, missingThresholdRoleIds: [] });
      expect(await harness.herald.eventStore.headPosition()).toBe(before);
    });
  });

  describe("a guild-A member's own token", () => {
    it('reads their own player in guild A but no admin route', async () => {
      const own = await harness.call('get', `/api/v1/guilds/${GUILD_A}/players/${MEMBER_A}`, { token: memberAToken }).expect(200);
      expect(own.body).toMatchObject({ userId: MEMBER_A, playerId: PLAYERS.current, wins: 9, roleId: ROLE_A });
      await harness.call('get', `/api/v1/guilds/${GUILD_A}/players`, { token: memberAToken }).expect(403);
      await harness.call('get', `/api/v1/guilds/${GUILD_A}/settings`, { token: memberAToken }).expect(403);
    });

    it("cannot read or link another member's player", async () => {
      await harness.call('get', `/api/v1/guilds/${GUILD_A}/players/${ADMIN_A}`, { token: memberAToken }).expect(403);
      await harness
        .call('put', `/api/v1/guilds/${GUILD_A}/links/${ADMIN_A}`, { token: memberAToken, body: { playerId: PLAYERS.legacy } })
        .expect(403);
    });

    it('cannot link itself in guild B, where Discord says it is no member, and nothing is appended', async () => {
      const before = await harness.herald.eventStore.headPosition();
      const response = await harness
        .call('put', `/api/v1/guilds/${GUILD_B}/links/${MEMBER_A}`, { token: memberAToken, body: { playerId: PLAYERS.current } })
        .expect(403);
      expect(response.body.type).toBe('https://herald.dev/problems/member-not-in-guild');
      expect(await harness.herald.eventStore.headPosition()).toBe(before);
    });
  });

  describe('a guild Herald does not serve', () => {
    it.each(
      routesOf(UNKNOWN_GUILD, { userId: MEMBER_A, runId: '00000000-0000-4000-8000-000000000000', roleId: ROLE_A }).filter(
        (route) => !(route.method === 'put' && route.path === `/api/v1/guilds/${UNKNOWN_GUILD}`),
      ),
    )('answers 404 on $method $path and appends nothing', async ({ method, path, body }) => {
      const before = await harness.herald.eventStore.headPosition();
      await harness.call(method, path, { body }).expect(404);
      expect(await harness.herald.eventStore.headPosition()).toBe(before);
    });
  });

  describe('DELETE /api/v1/guilds/{guildId}', () => {
    const guildEvents = async (guildId: string) =>
      (await harness.allEvents()).filter((e) => e.streamId === `guild-${guildId}` || e.streamId.startsWith(`guildmember-${guildId}_`));

    it.each([
      { asked: 'without confirm', query: '' },
      { asked: 'with confirm=false', query: '?confirm=false' },
      { asked: 'with confirm=yes', query: '?confirm=yes' },
    ])('refuses a removal $asked with 400 naming confirm, changing nothing', async ({ query }) => {
      const before = await harness.herald.eventStore.headPosition();
      const response = await harness.call('delete', `/api/v1/guilds/${GUILD_B}${query}`).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['confirm']);
      expect(await harness.herald.eventStore.headPosition()).toBe(before);
      await harness.call('get', `/api/v1/guilds/${GUILD_B}/settings`).expect(200);
    });

    it('with confirm=true leaves no read model and no event of the guild, and guild A untouched', async () => {
      const guildAEventsBefore = await guildEvents(GUILD_A);
      expect(await guildEvents(GUILD_B)).not.toHaveLength(0);

      await harness.call('delete', `/api/v1/guilds/${GUILD_B}?confirm=true`).expect(204);
      await harness.herald.projections.waitUntilCaughtUp();

      const readStore = harness.herald.app.get<ReadStore>(READ_STORE);
      expect(await readStore.forGuild(GUILD_B).listCollections()).toEqual([]);
      expect((await readStore.listScopes()).filter((scope) => scope.kind === 'guild' && scope.id === GUILD_B)).toEqual([]);
      expect(await guildEvents(GUILD_B)).toEqual([]);
      // The removal itself is audited outside the guild's streams, which are gone.
      const removals = (await harness.allEvents()).filter((e) => e.type === 'GuildRemoved');
      expect(removals.map((e) => [e.streamId, e.data.guildId])).toEqual([['config-global', GUILD_B]]);

      await harness.call('get', `/api/v1/guilds/${GUILD_B}/settings`).expect(404);
      await harness.call('get', `/api/v1/guilds/${GUILD_B}/players/${MEMBER_B}`).expect(404);
      await harness.call('get', `/api/v1/guilds/${GUILD_B}/sync/${runB}`).expect(404);

      expect(await guildEvents(GUILD_A)).toEqual(guildAEventsBefore);
      const board = await harness.call('get', `/api/v1/guilds/${GUILD_A}/players`).expect(200);
      expect(board.body.items.map((p: { userId: string }) => p.userId)).toEqual([MEMBER_A]);
    });

    it('cannot register the removed guild again', async () => {
      await harness.call('put', `/api/v1/guilds/${GUILD_B}`, { body: {} }).expect(409);
    });
  });
});
