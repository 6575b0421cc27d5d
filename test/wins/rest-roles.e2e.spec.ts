import { PLAYERS, WinsRestHarness } from './rest-harness';

/** Role reconcile through REST: exactly the rules' changes, no Discord call when nothing changed, drift repair, Discord refusals. */

const GUILD = '620000000000000001';
const ROLE_5 = '621000000000000005';
const ROLE_10 = '621000000000000010';
const ROLE_20 = '621000000000000020';
const ROLE_30 = '621000000000000030';
const UNRELATED = '621000000000000099';
const STRONG = '720000000000000001'; // 33 wins
const MIDDLE = '720000000000000002'; // 7 wins
const NEWCOMER = '720000000000000003'; // 0 wins

const TROUBLED_GUILD = '630000000000000001';
const DENIED_ROLE = '631000000000000005';
const OK_ROLE = '631000000000000020';
const GONE_ROLE = '631000000000000030';
const DENIED_MEMBER = '730000000000000001'; // 7 wins → DENIED_ROLE
const GONE_MEMBER = '730000000000000002'; // 33 wins → GONE_ROLE
const DRIFTING_MEMBER = '730000000000000003'; // 0 wins → no role

describe('wins REST: role reconcile', () => {
  let harness: WinsRestHarness;

  beforeAll(async () => {
    harness = await WinsRestHarness.start();
  });
  afterAll(() => harness?.close());

  const rolesOf = (guildId: string, userId: string) => harness.discord.memberRoles(guildId, userId).sort();
  const setThreshold = (guildId: string, wins: number, roleId: string) =>
    harness.call('put', `/api/v1/guilds/${guildId}/role-thresholds/${wins}`, { body: { roleId } }).expect(200, { wins, roleId });
  const link = (guildId: string, userId: string, playerId: string) =>
    harness.call('put', `/api/v1/guilds/${guildId}/links/${userId}`, { body: { playerId } }).expect(200);

  describe('thresholds 5 / 10 / 20 in total mode', () => {
    beforeAll(async () => {
      await harness.registerGuild(GUILD, [ROLE_5, ROLE_10, ROLE_20, ROLE_30, UNRELATED]);
      await harness.call('patch', `/api/v1/guilds/${GUILD}/settings`, { body: { countingMode: 'total' } }).expect(200);
      await setThreshold(GUILD, 5, ROLE_5);
      await setThreshold(GUILD, 10, ROLE_10);
      await setThreshold(GUILD, 20, ROLE_20);
      harness.discord.setMember(GUILD, STRONG, [ROLE_5, UNRELATED]);
      harness.discord.setMember(GUILD, MIDDLE, [ROLE_20]);
      harness.discord.setMember(GUILD, NEWCOMER, [ROLE_10]);
      await harness.settle(GUILD);
    });

    it('lists the thresholds, fewest wins first', async () => {
      const listed = await harness.call('get', `/api/v1/guilds/${GUILD}/role-thresholds`).expect(200);
      expect(listed.body).toEqual({
        items: [
          { wins: 5, roleId: ROLE_5 },
          { wins: 10, roleId: ROLE_10 },
          { wins: 20, roleId: ROLE_20 },
        ],
      });
    });

    it('gives each linked member the highest threshold role reached, takes stale threshold roles, keeps unrelated roles', async () => {
      await link(GUILD, STRONG, PLAYERS.current);
      await link(GUILD, MIDDLE, PLAYERS.legacy);
      await link(GUILD, NEWCOMER, PLAYERS.newcomer);

      expect(rolesOf(GUILD, STRONG)).toEqual([ROLE_20, UNRELATED].sort());
      expect(rolesOf(GUILD, MIDDLE)).toEqual([ROLE_5]);
      expect(rolesOf(GUILD, NEWCOMER)).toEqual([]);
      await harness.settle(GUILD);
      const strong = await harness.call('get', `/api/v1/guilds/${GUILD}/players/${STRONG}`).expect(200);
      expect(strong.body).toMatchObject({ wins: 33, roleId: ROLE_20 });
    });

    it('records every reconcile as MemberRolesReconciled with what was added and removed', async () => {
      const events = await harness.herald.eventStore.readStream(`guildmember-${GUILD}_${STRONG}`);
      expect(events.filter((e) => e.type === 'MemberRolesReconciled').at(-1)?.data).toMatchObject({
        wantedRoleId: ROLE_20,
        added: [ROLE_20],
        removed: [ROLE_5],
        failures: [],
      });
    });

    it('makes no Discord request when a sync finds nothing changed', async () => {
      harness.discord.reset();
      const run = await harness.syncAndWait(GUILD);
      expect(run).toMatchObject({ state: 'completed', checked: 3, changed: 0, failed: 0, failures: [] });
      expect(harness.discord.count()).toBe(0);
    });

    it('repairs drift made directly in Discord when asked to repair roles, and only then', async () => {
      harness.discord.setMember(GUILD, STRONG, [ROLE_10, UNRELATED]);
      harness.discord.setMember(GUILD, NEWCOMER, [ROLE_30]);

      await harness.syncAndWait(GUILD);
      expect(rolesOf(GUILD, STRONG)).toEqual([ROLE_10, UNRELATED].sort());

      harness.discord.reset();
      const run = await harness.syncAndWait(GUILD, { repairRoles: true });
      expect(run).toMatchObject({ state: 'completed', checked: 3, failed: 0 });
      expect(rolesOf(GUILD, STRONG)).toEqual([ROLE_20, UNRELATED].sort());
      // ROLE_30 is no threshold of this guild: Herald leaves it alone.
      expect(rolesOf(GUILD, NEWCOMER)).toEqual([ROLE_30]);
      expect(harness.discord.count({ method: 'PUT' })).toBe(1);
      expect(harness.discord.count({ method: 'DELETE' })).toBe(1);
    });

    it('moves members at once when a threshold is added, and takes the role of a removed threshold away', async () => {
      await setThreshold(GUILD, 30, ROLE_30);
      await harness.settle(GUILD);
      expect(rolesOf(GUILD, STRONG)).toEqual([ROLE_30, UNRELATED].sort());
      expect(rolesOf(GUILD, NEWCOMER)).toEqual([]);

      await harness.call('delete', `/api/v1/guilds/${GUILD}/role-thresholds/5`).expect(204);
      await harness.settle(GUILD);
      expect(rolesOf(GUILD, MIDDLE)).toEqual([]);
      expect(rolesOf(GUILD, STRONG)).toEqual([ROLE_30, UNRELATED].sort());
    });

    it('takes the threshold role away when a member unlinks', async () => {
      await harness.call('delete', `/api/v1/guilds/${GUILD}/links/${STRONG}`).expect(204);
      expect(rolesOf(GUILD, STRONG)).toEqual([UNRELATED]);
      await harness.settle(GUILD);
      await harness.call('get', `/api/v1/guilds/${GUILD}/players/${STRONG}`).expect(404);
    });
  });

  describe('Discord refusing a role change (50013, 10011)', () => {
    beforeAll(async () => {
      await harness.registerGuild(TROUBLED_GUILD, [DENIED_ROLE, OK_ROLE, GONE_ROLE]);
      await harness.call('patch', `/api/v1/guilds/${TROUBLED_GUILD}/settings`, { body: { countingMode: 'total' } }).expect(200);
      await setThreshold(TROUBLED_GUILD, 5, DENIED_ROLE);
      await setThreshold(TROUBLED_GUILD, 20, OK_ROLE);
      await setThreshold(TROUBLED_GUILD, 30, GONE_ROLE);
      for (const userId of [DENIED_MEMBER, GONE_MEMBER, DRIFTING_MEMBER]) harness.discord.setMember(TROUBLED_GUILD, userId, []);
      harness.discord.denyRole(TROUBLED_GUILD, DENIED_ROLE);
      harness.discord.deleteRole(TROUBLED_GUILD, GONE_ROLE);
      await harness.settle(TROUBLED_GUILD);
      await link(TROUBLED_GUILD, DENIED_MEMBER, PLAYERS.legacy);
      await link(TROUBLED_GUILD, GONE_MEMBER, PLAYERS.current);
      await link(TROUBLED_GUILD, DRIFTING_MEMBER, PLAYERS.newcomer);
      await harness.settle(TROUBLED_GUILD);
    });

    it('goes on with the other members in the same run', async () => {
      harness.discord.setMember(TROUBLED_GUILD, DRIFTING_MEMBER, [OK_ROLE]);
      const run = await harness.syncAndWait(TROUBLED_GUILD, { repairRoles: true });
      expect(run).toMatchObject({ state: 'completed', checked: 3, failed: 0 });
      expect(rolesOf(TROUBLED_GUILD, DRIFTING_MEMBER)).toEqual([]);
      expect(rolesOf(TROUBLED_GUILD, DENIED_MEMBER)).toEqual([]);
    });

    it("reports both refusals to the guild's admins in the settings", async () => {
      const settings = await harness.call('get', `/api/v1/guilds/${TROUBLED_GUILD}/settings`).expect(200);
      expect(settings.body).toEqual({
        countingMode: 'total',
        syncIntervalHours: 24,
        backoffUntil: null,
        lastSyncAt: expect.any(String),
        roleProblems: expect.arrayContaining([
          expect.objectContaining({ roleId: DENIED_ROLE, reason: 'missing_permissions', code: 50013, userId: DENIED_MEMBER }),
          expect.objectContaining({ roleId: GONE_ROLE, reason: 'unknown_role', code: 10011, userId: GONE_MEMBER }),
        ]),
      });
      expect(settings.body.roleProblems).toHaveLength(2);
    });

    it("reports both refusals in the guild's audit", async () => {
      const audit = await harness.call('get', `/api/v1/guilds/${TROUBLED_GUILD}/audit?type=MemberRolesReconciled&pageSize=100`).expect(200);
      const failures = audit.body.items.flatMap((entry: { data: { userId: string; failures: object[] } }) =>
        entry.data.failures.map((failure) => ({ userId: entry.data.userId, ...failure })),
      );
      expect(failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: DENIED_MEMBER, roleId: DENIED_ROLE, action: 'add', code: 50013 }),
          expect.objectContaining({ userId: GONE_MEMBER, roleId: GONE_ROLE, action: 'add', code: 10011 }),
        ]),
      );
    });
  });
});
