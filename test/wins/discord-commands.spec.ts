import { PermissionFlagsBits } from 'discord.js';
import request from 'supertest';
import { CLOCK, type Clock, streams } from '@herald/core';
import { GuildSyncRuns, WinsReadModel, WinsState } from '@herald/wins';
import { DiscordFake } from '../fakes/discord.fake';
import { OpenFrontFake } from '../fakes/openfront.fake';
import { bearer, type HeraldUnderTest, startHerald } from '../support/herald-test-app';
import { type Answer, DiscordHarness, type InteractionInit } from '../support/discord-interactions';

const GUILD_A = '100000000000000011';
const GUILD_B = '100000000000000022';

const OWNER = '200000000000000001'; // Manage Server in guild A
const ALICE = '200000000000000002'; // a member who links her player
const BOB = '200000000000000003'; // a member without any rights
const CAROL = '200000000000000004'; // holds guild A's seeded admin role
const DAVE = '200000000000000005'; // holds a role made admin with /admin_role_add
const ERIN = '200000000000000006'; // holds guild B's seeded admin role

const ADMIN_ROLE_A = '300000000000000001';
const ROLE_5 = '300000000000000005';
const ROLE_10 = '300000000000000010';
const MOD_ROLE = '300000000000000099';
const ADMIN_ROLE_B = '310000000000000001';
const ROLE_B5 = '310000000000000005';

const PLAYER = 'q8ZfR2mK';
/** The fixtures' main link time (test/fixtures/openfront/README.md). */
const LINKED_AT = '2026-03-01T12:00:00.000Z';

const ownerA = (options: Record<string, unknown> = {}): InteractionInit => ({
  guildId: GUILD_A,
  userId: OWNER,
  permissions: PermissionFlagsBits.ManageGuild,
  options,
});
const memberOf = (guildId: string, userId: string, options: Record<string, unknown> = {}, roleIds: string[] = []): InteractionInit => ({
  guildId,
  userId,
  roleIds,
  options,
});
const role = (id: string, extra: { managed?: boolean } = {}) => ({ id, name: `role ${id}`, managed: false, ...extra });
const user = (id: string) => ({ id, username: `user_${id}`, bot: false });

describe('wins slash commands, run through Necord against the real app', () => {
  let openfront: OpenFrontFake;
  let discord: DiscordFake;
  let herald: HeraldUnderTest;
  let harness: DiscordHarness;

  beforeAll(async () => {
    openfront = await OpenFrontFake.start();
    discord = await DiscordFake.start();
    discord.addGuild(GUILD_A, {
      name: 'Guild A',
      roles: [
        { id: ADMIN_ROLE_A, name: 'Mods', permissions: String(PermissionFlagsBits.ManageGuild) },
        { id: ROLE_5, name: '5 wins', permissions: '0' },
        { id: ROLE_10, name: '10 wins', permissions: '0' },
        { id: MOD_ROLE, name: 'Helpers', permissions: '0' },
      ],
    });
    discord.addGuild(GUILD_B, {
      name: 'Guild B',
      roles: [
        { id: ADMIN_ROLE_B, name: 'Admins', permissions: String(PermissionFlagsBits.Administrator) },
        { id: ROLE_B5, name: 'B 5 wins', permissions: '0' },
      ],
    });
    for (const member of [OWNER, ALICE, BOB, CAROL, DAVE]) discord.setMember(GUILD_A, member, []);
    discord.setMember(GUILD_B, ALICE, []);
    discord.setMember(GUILD_B, ERIN, [ADMIN_ROLE_B]);
    openfront.addPlayer(PLAYER);
    herald = await startHerald({
      OPENFRONT_API_URL: openfront.url,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_TOKEN: 'test-bot-token',
      DISCORD_GATEWAY: 'off',
    });
    harness = new DiscordHarness(herald.app);
  });
  afterAll(async () => {
    await herald?.close();
    await openfront?.stop();
    await discord?.stop();
  });

  const run = (name: string, init: InteractionInit): Promise<Answer> => harness.run(name, init);

  /** Background runs (started by config changes) finished and the read models caught up. */
  async function settle(): Promise<void> {
    const runs = herald.app.get(GuildSyncRuns);
    while (runs.isRunning(GUILD_A) || runs.isRunning(GUILD_B)) await new Promise((resolve) => setTimeout(resolve, 10));
    await herald.projections.waitUntilCaughtUp();
  }

  const head = () => herald.eventStore.headPosition();

  async function aliceWins(guildId = GUILD_A): Promise<number | null> {
    await settle();
    const status = await run('status', memberOf(guildId, ALICE));
    const match = /Wins: \*\*(\d+)\*\*/.exec(status.content ?? '');
    return match ? Number(match[1]) : null;
  }

  it('registers a guild the bot joins, seeding its admin roles from roles with Administrator or Manage Server', async () => {
    await harness.emit('guildCreate', { id: GUILD_A, name: 'Guild A' });
    await harness.emit('guildCreate', { id: GUILD_B, name: 'Guild B' });

    const state = herald.app.get(WinsState);
    expect(await state.guild(GUILD_A)).toMatchObject({ registered: true, name: 'Guild A', adminRoleIds: [ADMIN_ROLE_A] });
    expect(await state.guild(GUILD_B)).toMatchObject({ registered: true, adminRoleIds: [ADMIN_ROLE_B] });
    const adminRoles = await run('admin_roles', memberOf(GUILD_A, BOB));
    expect(adminRoles).toMatchObject({ ephemeral: true, content: expect.stringContaining(`<@&${ADMIN_ROLE_A}>`) });
  });

  it('lets an admin set win roles and a clan tag; a member who links gets the role of their 9 ABC clan wins', async () => {
    const first = await run('roles_add', ownerA({ wins: 5, role: role(ROLE_5) }));
    expect(first).toMatchObject({ deferred: true, ephemeral: true, content: expect.stringContaining(`5 wins → <@&${ROLE_5}>`) });
    await run('roles_add', ownerA({ wins: 10, role: role(ROLE_10) }));
    expect((await run('clan_tag_add', ownerA({ tag: 'abc' }))).content).toContain('Clan tags: ABC.');

    const clock = herald.app.get<Clock>(CLOCK);
    const now = jest.spyOn(clock, 'now').mockReturnValue(new Date(LINKED_AT));
    const linked = await run('link', memberOf(GUILD_A, ALICE, { player_id: PLAYER })).finally(() => now.mockRestore());

    expect(linked).toMatchObject({ deferred: true, ephemeral: true });
    expect(linked.content).toContain(`You are linked to OpenFront player **Falcon** (\`${PLAYER}\`). Wins: **9**.`);
    expect(discord.memberRoles(GUILD_A, ALICE)).toEqual([ROLE_5]);
    const [link] = await herald.eventStore.readStream(streams.guildMember(GUILD_A, ALICE));
    expect(link).toMatchObject({
      type: 'PlayerLinked',
      data: { playerId: PLAYER, linkedBy: 'member', linkedAt: LINKED_AT },
      metadata: { source: 'discord', actorId: ALICE },
    });
  });

  it.each([
    ['/clan_tag_add xyz: ABC and XYZ clan wins', 'clan_tag_add', { tag: 'xyz' }, 11, [ROLE_10]],
    ['/clan_tag_remove abc: XYZ clan wins', 'clan_tag_remove', { tag: 'ABC' }, 2, []],
    ['/clan_tag_remove xyz: no tags, no clan wins', 'clan_tag_remove', { tag: 'xyz' }, 0, []],
    ['/set_mode sessions_since_link: public wins since the link', 'set_mode', { mode: 'sessions_since_link' }, 9, [ROLE_5]],
    ['/set_mode total: every public win on the profile', 'set_mode', { mode: 'total' }, 33, [ROLE_10]],
  ])('counts the issue’s numbers after %s', async (_label, command, options, wins, roles) => {
    expect(await run(command, ownerA(options))).toMatchObject({ ephemeral: true, content: expect.not.stringMatching(/^Invalid|admins/) });
    const sync = await run('sync', ownerA());
    expect(sync).toMatchObject({ deferred: true, ephemeral: true });
    expect(sync.content).toMatch(/^Sync of every linked member finished in [\d.]+ s: 1 checked, \d changed, 0 failed\.$/);
    expect(await aliceWins()).toBe(wins);
    expect(discord.memberRoles(GUILD_A, ALICE)).toEqual(roles);
  });

  it('shows the counting mode to anyone, and an admin /sync of one member repairs roles changed by hand', async () => {
    expect((await run('get_mode', memberOf(GUILD_A, BOB))).content).toContain('Counting mode: **total**');
    discord.setMember(GUILD_A, ALICE, [ROLE_5]);

    const sync = await run('sync', ownerA({ user: user(ALICE) }));

    expect(sync.content).toMatch(new RegExp(`^Sync of <@${ALICE}> finished in [\\d.]+ s: 1 checked, 0 changed, 0 failed\\.$`));
    expect(discord.memberRoles(GUILD_A, ALICE)).toEqual([ROLE_10]);
  });

  it('refuses every admin command to a member without rights, ephemerally, appending nothing', async () => {
    await settle();
    const before = await head();
    const adminCommands: Array<[string, Record<string, unknown>]> = [
      ['set_mode', { mode: 'total' }],
      ['roles_add', { wins: 20, role: role(MOD_ROLE) }],
      ['roles_remove', { wins: 5 }],
      ['clan_tag_add', { tag: 'BOB' }],
      ['clan_tag_remove', { tag: 'ABC' }],
      ['link_override', { user: user(BOB), player_id: PLAYER }],
      ['admin_role_add', { role: role(MOD_ROLE) }],
      ['admin_role_remove', { role: role(ADMIN_ROLE_A) }],
      ['guild_remove', { confirm: true }],
      ['sync', {}],
      ['audit', {}],
    ];
    for (const [command, options] of adminCommands) {
      const answer = await run(command, memberOf(GUILD_A, BOB, options, [ROLE_5]));
      const content = `/${command} is for server admins: Administrator or Manage Server, or one of Herald's admin roles (see /admin_roles).`;
      expect({ command, ...answer }).toMatchObject({ command, ephemeral: true, content });
    }
    expect(await head()).toBe(before);
  });

  it('treats a stored admin role as admin rights: seeded ones, added ones, until they are removed', async () => {
    const added = await run('admin_role_add', memberOf(GUILD_A, CAROL, { role: role(MOD_ROLE) }, [ADMIN_ROLE_A]));
    expect(added.content).toContain(`<@&${MOD_ROLE}>`);

    const audit = await run('audit', memberOf(GUILD_A, DAVE, {}, [MOD_ROLE]));
    expect(audit.content).toMatch(/^\*\*Audit\*\*, page 1, newest first\n`#\d+` <t:\d+:f> \*\*AdminRoleAdded\*\*/);

    await run('admin_role_remove', memberOf(GUILD_A, CAROL, { role: role(MOD_ROLE) }, [ADMIN_ROLE_A]));
    expect((await run('audit', memberOf(GUILD_A, DAVE, {}, [MOD_ROLE]))).content).toContain('is for server admins');
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['a player id with spaces', 'link', { player_id: 'not an id!' }, 'player_id must be 1-64 letters, digits, _ . ~ or -'],
    ['a player id of 65 characters', 'link', { player_id: 'p'.repeat(65) }, 'player_id must be 1-64 letters, digits, _ . ~ or -'],
    ['negative wins', 'roles_add', { wins: -1, role: { id: ROLE_5 } }, 'wins must be an integer from 0 to 1000000'],
    ['fractional wins', 'roles_add', { wins: 2.5, role: { id: ROLE_5 } }, 'wins must be an integer from 0 to 1000000'],
    ['@everyone as a win role', 'roles_add', { wins: 1, role: role(GUILD_A) }, 'role must be a role Herald can give'],
    ['a bot role as a win role', 'roles_add', { wins: 1, role: role(MOD_ROLE, { managed: true }) }, 'role must be a role Herald can give'],
    ['neither wins nor role', 'roles_remove', {}, 'Invalid input: give wins, roleId or both.'],
    ['a one-letter tag', 'clan_tag_add', { tag: 'a' }, 'tag must be 2-5 letters or digits'],
    ['a tag with a dash', 'clan_tag_remove', { tag: 'A-B' }, 'tag must be 2-5 letters or digits'],
    ['an unknown mode', 'set_mode', { mode: 'weekly' }, 'mode must be one of total, sessions_since_link, sessions_with_clan'],
    ['@everyone as an admin role', 'admin_role_add', { role: role(GUILD_A) }, 'role must not be @everyone'],
    ['a user id that is no snowflake', 'link_override', { user: { id: '42' }, player_id: PLAYER }, 'user must be a Discord id of 17-20 digits'],
    ['audit page 0', 'audit', { page: 0 }, 'page must be an integer from 1 to 1000'],
    ['audit page 1001', 'audit', { page: 1001 }, 'page must be an integer from 1 to 1000'],
    ['guild_remove without confirming', 'guild_remove', { confirm: false }, 'confirm must be true to remove the guild and all its data'],
  ])('answers %s with an ephemeral message and appends nothing', async (_label, command, options, message) => {
    await settle();
    const before = await head();
    const upstreamBefore = openfront.count();

    const answer = await run(command, ownerA(options));

    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain(message);
    expect(await head()).toBe(before);
    expect(openfront.count()).toBe(upstreamBefore);
  });

  it('refuses a command used outside a server', async () => {
    const answer = await run('status', { guildId: null, userId: ALICE });
    expect(answer).toMatchObject({ ephemeral: true, content: "Herald's commands work inside a server only." });
  });

  it('keeps guilds apart: guild A commands neither read nor change guild B, and B admins have no rights in A', async () => {
    const erin = (options: Record<string, unknown> = {}) => memberOf(GUILD_B, ERIN, options, [ADMIN_ROLE_B]);
    await run('roles_add', erin({ wins: 5, role: role(ROLE_B5) }));
    await run('clan_tag_add', erin({ tag: 'xyz' }));
    await settle();
    const guildB = await herald.eventStore.readStream(streams.guild(GUILD_B));

    await run('clan_tag_add', ownerA({ tag: 'QQ1' }));
    await run('clan_tag_remove', ownerA({ tag: 'QQ1' }));
    await run('sync', ownerA());
    const refused = await run('clan_tag_add', memberOf(GUILD_A, ERIN, { tag: 'ERIN' }, [ADMIN_ROLE_B]));
    await settle();

    expect(refused.content).toContain('is for server admins');
    expect(await herald.eventStore.readStream(streams.guild(GUILD_B))).toEqual(guildB);
    expect((await run('clans_list', memberOf(GUILD_B, ALICE))).content).toBe('Clan tags: XYZ.');
    expect((await run('clans_list', memberOf(GUILD_A, ALICE))).content).toBe('No clan tags yet: add one with /clan_tag_add.');
    expect((await run('status', memberOf(GUILD_B, ALICE))).content).toBe('You have no linked OpenFront player here: use /link player_id.');
    expect((await run('leaderboard', memberOf(GUILD_B, ALICE))).content).toBe('Nobody has linked an OpenFront player here yet: use /link player_id.');
    const leaderboardA = await run('leaderboard', memberOf(GUILD_A, BOB));
    expect(leaderboardA).toMatchObject({ ephemeral: false, content: `**Leaderboard**, most wins first\n1. <@${ALICE}>: **33** wins (Falcon.4821)` });
    expect(discord.memberRoles(GUILD_B, ALICE)).toEqual([]);
  });

  it('links members in guild B by themselves and by an admin, reports a player OpenFront no longer knows, and unlinks', async () => {
    const erin = (options: Record<string, unknown> = {}) => memberOf(GUILD_B, ERIN, options, [ADMIN_ROLE_B]);
    openfront.addPlayer('gone1234');
    const linkedAt = Date.now();
    expect((await run('link', erin({ player_id: 'gone1234' }))).content).toContain('Wins: **2**.');

    const before = await head();
    const unknown = await run('link', erin({ player_id: 'nobody99' }));
    expect(unknown).toMatchObject({ ephemeral: true, content: 'Invalid input: OpenFront knows no player with the id nobody99.' });
    expect(await head()).toBe(before);
    const override = await run('link_override', erin({ user: user(ALICE), player_id: PLAYER }));
    expect(override.content).toBe(`<@${ALICE}> is linked to OpenFront player **Falcon** (\`${PLAYER}\`). Wins: **2**.`);
    const stranger = await run('link_override', erin({ user: user(BOB), player_id: PLAYER }));
    expect(stranger).toMatchObject({ ephemeral: true, content: `User ${BOB} is not a member of guild ${GUILD_B}.` });

    openfront.removePlayer('gone1234');
    // Even a fresh read shares an answer fetched within the last second: let the link's answer age.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, linkedAt + 1_100 - Date.now())));
    const sync = await run('sync', erin());
    expect(sync.content).toMatch(/ 2 checked, 0 changed, 1 failed\.\nFailures:\n/);
    expect(sync.content).toContain(`• <@${ERIN}> (\`gone1234\`): OpenFront knows no player with this id; link the right one with /link`);
    await settle();
    expect((await run('status', erin())).content).toContain('Last sync failed: OpenFront knows no player with this id; link the right one with /link.');

    expect((await run('unlink', erin())).content).toBe('Your OpenFront player is unlinked and your win roles are taken back.');
    expect((await run('unlink', erin())).content).toBe(`User ${ERIN} has no linked OpenFront player in this guild.`);
    await settle();
    expect((await run('status', erin())).content).toBe('You have no linked OpenFront player here: use /link player_id.\nServer: no problems.');
  });

  it('takes a win role away with /roles_remove: by wins, then by role', async () => {
    await run('roles_remove', ownerA({ wins: 10 }));
    await settle();
    expect(discord.memberRoles(GUILD_A, ALICE)).toEqual([ROLE_5]);
    const roles = await run('roles', memberOf(GUILD_A, BOB));
    expect(roles.content).toBe(`Win roles (a member gets the highest one reached):\n• 5 wins → <@&${ROLE_5}>`);

    await run('roles_remove', ownerA({ role: role(ROLE_5) }));
    await settle();
    expect(discord.memberRoles(GUILD_A, ALICE)).toEqual([]);
    expect((await run('roles', memberOf(GUILD_A, BOB))).content).toBe('No win roles yet: add one with /roles_add.');
  });

  it("shows admins, and only admins, the roles Discord refused to give (50013) in /status", async () => {
    discord.denyRole(GUILD_A, ROLE_10);
    await run('roles_add', ownerA({ wins: 10, role: role(ROLE_10) }));
    await settle();

    const forAdmin = await run('status', ownerA({ user: user(ALICE) }));
    expect(forAdmin.content).toContain(`Server problems:\n• <@&${ROLE_10}>: Herald may not change this role (Discord 50013)`);
    const forAlice = await run('status', memberOf(GUILD_A, ALICE));
    expect(forAlice.content).toContain('Wins: **33** (counting mode total)\nRole: none\nLast sync: <t:');
    expect(forAlice.content).not.toContain('Server');
  });

  it('lists the audit newest first, ten lines a page, pointing to the next page', async () => {
    const first = await run('audit', ownerA());
    const lines = first.content!.split('\n');
    expect(lines[0]).toBe('**Audit**, page 1, newest first');
    expect(lines.slice(1, 11)).toHaveLength(10);
    const positions = lines.slice(1, 11).map((line) => Number(/^`#(\d+)`/.exec(line)![1]));
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(lines[11]).toBe('Older entries: /audit page:2');

    const second = await run('audit', ownerA({ page: 2 }));
    expect(Number(/`#(\d+)`/.exec(second.content!)![1])).toBeLessThan(positions[9]);
  });

  it('issues a personal API token once, ephemerally, that acts for the member on REST and never enters the log', async () => {
    const answer = await run('api_token', memberOf(GUILD_A, ALICE));
    expect(answer).toMatchObject({ deferred: true, ephemeral: true });
    const token = /\|\|(.+)\|\|/.exec(answer.content!)![1];

    const me = await request(herald.app.getHttpServer()).get('/api/v1/me').set(bearer(token));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId: ALICE, scopes: [`user:${ALICE}`] });
    const log = JSON.stringify(await herald.eventStore.readStream(streams.user(ALICE)));
    expect(log).toContain('ApiTokenIssued');
    expect(log).not.toContain(token);
  });

  it('removes a guild only when confirmed, leaving no stream and no read model of it, and guild B intact', async () => {
    await settle();
    const before = await head();
    const refused = await run('guild_remove', ownerA({ confirm: false }));
    expect(refused).toMatchObject({ ephemeral: true, content: expect.stringContaining('confirm must be true') });
    expect(await head()).toBe(before);

    const removed = await run('guild_remove', ownerA({ confirm: true }));

    expect(removed).toMatchObject({ ephemeral: true, content: expect.stringContaining("Herald deleted this server's data") });
    expect(await herald.eventStore.readStream(streams.guild(GUILD_A))).toEqual([]);
    expect(await herald.eventStore.readStream(streams.guildMember(GUILD_A, ALICE))).toEqual([]);
    const readModel = herald.app.get(WinsReadModel);
    expect(await readModel.settings(GUILD_A)).toBeNull();
    expect(await readModel.player(GUILD_A, ALICE)).toBeNull();
    expect((await readModel.leaderboard(GUILD_A)).items).toEqual([]);
    expect(await readModel.settings(GUILD_B)).toMatchObject({ clanTags: ['XYZ'] });
    expect((await run('roles', ownerA())).content).toContain('not registered with Herald');
  });
});
