import { foldEvents, type HeraldError, InvalidInput, NotFound } from '@herald/core';
import type { GuildEvent } from './events';
import { type GuildCommand, guildDecider, guildThresholdRoleIds } from './guild.decider';

const GUILD = '300000000000000001';
const ADMIN = '300000000000000010';
const BRONZE = '300000000000000021';
const SILVER = '300000000000000022';
const GOLD = '300000000000000023';

const registered: GuildEvent = {
  type: 'GuildRegistered',
  data: { guildId: GUILD, name: 'Falcons', adminRoleIds: [ADMIN] },
};
const threshold = (wins: number, roleId: string, replacedRoleId: string | null = null): GuildEvent => ({
  type: 'RoleThresholdSet',
  data: { wins, roleId, replacedRoleId },
});
const tagAdded = (tag: string): GuildEvent => ({ type: 'ClanTagAdded', data: { tag } });
const withTiers = [registered, threshold(10, SILVER), threshold(0, BRONZE)];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const command = (body: DistributiveOmit<GuildCommand, 'guildId'>): GuildCommand => ({ guildId: GUILD, ...body }) as GuildCommand;
const decide = (given: GuildEvent[], when: GuildCommand) => guildDecider.decide(when, foldEvents(guildDecider, given));

function refusal(given: GuildEvent[], when: GuildCommand): HeraldError {
  try {
    decide(given, when);
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('the command was accepted');
}

describe('guild decider: accepted commands', () => {
  it.each<{ name: string; given: GuildEvent[]; when: GuildCommand; then: GuildEvent[] }>([
    {
      name: 'registers a new guild with its admin roles, once each',
      given: [],
      when: { type: 'RegisterGuild', guildId: GUILD, name: 'Falcons', adminRoleIds: [ADMIN, ADMIN] },
      then: [registered],
    },
    {
      name: 'registers an already registered guild as a no-op',
      given: [registered],
      when: { type: 'RegisterGuild', guildId: GUILD, name: 'Renamed', adminRoleIds: [] },
      then: [],
    },
    {
      name: 'records only the settings that changed',
      given: [registered],
      when: command({ type: 'ChangeGuildSettings', countingMode: 'total', syncIntervalHours: 24 }),
      then: [{ type: 'GuildSettingsChanged', data: { countingMode: 'total' } }],
    },
    {
      name: 'records a new sync interval',
      given: [registered, { type: 'GuildSettingsChanged', data: { countingMode: 'total' } }],
      when: command({ type: 'ChangeGuildSettings', countingMode: 'total', syncIntervalHours: 6 }),
      then: [{ type: 'GuildSettingsChanged', data: { syncIntervalHours: 6 } }],
    },
    {
      name: 'records nothing when the settings are already so',
      given: [registered],
      when: command({ type: 'ChangeGuildSettings', countingMode: 'sessions_with_clan', syncIntervalHours: 24 }),
      then: [],
    },
    {
      name: 'sets a new threshold',
      given: [registered],
      when: command({ type: 'SetRoleThreshold', wins: 50, roleId: GOLD }),
      then: [threshold(50, GOLD)],
    },
    {
      name: 'replaces the role of an existing threshold',
      given: withTiers,
      when: command({ type: 'SetRoleThreshold', wins: 10, roleId: GOLD }),
      then: [threshold(10, GOLD, SILVER)],
    },
    {
      name: 'sets an unchanged threshold as a no-op',
      given: withTiers,
      when: command({ type: 'SetRoleThreshold', wins: 10, roleId: SILVER }),
      then: [],
    },
    {
      name: 'removes a threshold named by its wins',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', wins: 10 }),
      then: [{ type: 'RoleThresholdRemoved', data: { wins: 10, roleId: SILVER } }],
    },
    {
      name: 'removes a threshold named by its role',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', roleId: BRONZE }),
      then: [{ type: 'RoleThresholdRemoved', data: { wins: 0, roleId: BRONZE } }],
    },
    {
      name: 'removes a threshold named by both',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', wins: 0, roleId: BRONZE }),
      then: [{ type: 'RoleThresholdRemoved', data: { wins: 0, roleId: BRONZE } }],
    },
    {
      name: 'adds a clan tag upper-cased and trimmed',
      given: [registered],
      when: command({ type: 'AddClanTag', tag: ' abc ' }),
      then: [tagAdded('ABC')],
    },
    {
      name: 'adds a present clan tag, in any case, as a no-op',
      given: [registered, tagAdded('ABC')],
      when: command({ type: 'AddClanTag', tag: 'Abc' }),
      then: [],
    },
    {
      name: 'removes a clan tag typed in lower case',
      given: [registered, tagAdded('ABC')],
      when: command({ type: 'RemoveClanTag', tag: 'abc' }),
      then: [{ type: 'ClanTagRemoved', data: { tag: 'ABC' } }],
    },
    {
      name: 'adds an admin role',
      given: [registered],
      when: command({ type: 'AddAdminRole', roleId: GOLD }),
      then: [{ type: 'AdminRoleAdded', data: { roleId: GOLD } }],
    },
    {
      name: 'adds a present admin role as a no-op',
      given: [registered],
      when: command({ type: 'AddAdminRole', roleId: ADMIN }),
      then: [],
    },
    {
      name: 'removes an admin role',
      given: [registered],
      when: command({ type: 'RemoveAdminRole', roleId: ADMIN }),
      then: [{ type: 'AdminRoleRemoved', data: { roleId: ADMIN } }],
    },
    {
      name: 'starts a manual sync run',
      given: [registered],
      when: command({ type: 'StartGuildSync', runId: 'run-1', trigger: 'manual', userId: ADMIN }),
      then: [{ type: 'GuildSyncStarted', data: { runId: 'run-1', trigger: 'manual', userId: ADMIN } }],
    },
    {
      name: 'completes a sync run with its summary, the time in UTC',
      given: [registered],
      when: command({
        type: 'CompleteGuildSync',
        runId: 'run-1',
        checked: 3,
        changed: 1,
        failed: 1,
        durationMs: 1200,
        completedAt: '2026-03-20T14:00:00+02:00',
        failures: [{ userId: ADMIN, playerId: 'q8ZfR2mK', reason: 'player_not_found' }],
      }),
      then: [
        {
          type: 'GuildSyncCompleted',
          data: {
            runId: 'run-1',
            checked: 3,
            changed: 1,
            failed: 1,
            durationMs: 1200,
            completedAt: '2026-03-20T12:00:00.000Z',
            failures: [{ userId: ADMIN, playerId: 'q8ZfR2mK', reason: 'player_not_found' }],
          },
        },
      ],
    },
    {
      name: 'starts a backoff',
      given: [registered],
      when: command({ type: 'StartSyncBackoff', runId: 'run-1', until: '2026-03-20T12:05:00Z', consecutiveFailures: 3 }),
      then: [
        { type: 'SyncBackoffStarted', data: { runId: 'run-1', until: '2026-03-20T12:05:00.000Z', consecutiveFailures: 3 } },
      ],
    },
  ])('$name', ({ given, when, then }) => {
    expect(decide(given, when)).toEqual(then);
  });
});

describe('guild decider: refused commands', () => {
  it.each<{ name: string; given: GuildEvent[]; when: GuildCommand; error: typeof InvalidInput | typeof NotFound; fields?: string[] }>([
    {
      name: 'a guild id that is no snowflake',
      given: [],
      when: { type: 'RegisterGuild', guildId: '42', name: null, adminRoleIds: [ADMIN, 'x'] },
      error: InvalidInput,
      fields: ['guildId', 'adminRoleIds[1]'],
    },
    {
      name: 'an unknown counting mode and an interval out of range',
      given: [registered],
      when: command({ type: 'ChangeGuildSettings', countingMode: 'medium' as never, syncIntervalHours: 25 }),
      error: InvalidInput,
      fields: ['countingMode', 'syncIntervalHours'],
    },
    {
      name: 'a fractional interval',
      given: [registered],
      when: command({ type: 'ChangeGuildSettings', syncIntervalHours: 1.5 }),
      error: InvalidInput,
      fields: ['syncIntervalHours'],
    },
    {
      name: 'a threshold out of range with a role that is no snowflake',
      given: [registered],
      when: command({ type: 'SetRoleThreshold', wins: 1_000_001, roleId: '@gold' }),
      error: InvalidInput,
      fields: ['wins', 'roleId'],
    },
    {
      name: 'a negative threshold',
      given: [registered],
      when: command({ type: 'SetRoleThreshold', wins: -1, roleId: GOLD }),
      error: InvalidInput,
      fields: ['wins'],
    },
    {
      name: 'a role already given by another threshold',
      given: withTiers,
      when: command({ type: 'SetRoleThreshold', wins: 50, roleId: SILVER }),
      error: InvalidInput,
      fields: ['roleId'],
    },
    {
      name: 'removing a threshold without naming it',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold' }),
      error: InvalidInput,
      fields: ['wins', 'roleId'],
    },
    {
      name: 'removing a threshold that does not exist',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', wins: 50 }),
      error: NotFound,
    },
    {
      name: 'removing a threshold by a role no threshold gives',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', roleId: GOLD }),
      error: NotFound,
    },
    {
      name: 'removing a threshold by wins and the role of another threshold',
      given: withTiers,
      when: command({ type: 'RemoveRoleThreshold', wins: 10, roleId: BRONZE }),
      error: NotFound,
    },
    {
      name: 'adding a clan tag that is not one',
      given: [registered],
      when: command({ type: 'AddClanTag', tag: '[ABC]' }),
      error: InvalidInput,
      fields: ['tag'],
    },
    {
      name: 'removing a clan tag the guild does not have',
      given: [registered, tagAdded('ABC')],
      when: command({ type: 'RemoveClanTag', tag: 'XYZ' }),
      error: NotFound,
    },
    {
      name: 'adding an admin role that is no snowflake',
      given: [registered],
      when: command({ type: 'AddAdminRole', roleId: 'admins' }),
      error: InvalidInput,
      fields: ['roleId'],
    },
    {
      name: 'removing a role that is not an admin role',
      given: [registered],
      when: command({ type: 'RemoveAdminRole', roleId: GOLD }),
      error: NotFound,
    },
  ])('refuses $name', ({ given, when, error, fields }) => {
    const refused = refusal(given, when);
    expect(refused).toBeInstanceOf(error);
    if (fields) expect(refused.errors?.map((e) => e.field)).toEqual(fields);
  });

  it('names the threshold that already uses the role', () => {
    expect(refusal(withTiers, command({ type: 'SetRoleThreshold', wins: 50, roleId: SILVER })).errors).toEqual([
      { field: 'roleId', messages: [expect.stringContaining('10-win threshold')] },
    ]);
  });

  it('says which rule a field breaks', () => {
    expect(refusal([registered], command({ type: 'SetRoleThreshold', wins: 2.5, roleId: GOLD })).errors).toEqual([
      { field: 'wins', messages: ['wins must be an integer from 0 to 1000000'] },
    ]);
  });

  const everyCommandButRegister: GuildCommand[] = [
    command({ type: 'ChangeGuildSettings', countingMode: 'total' }),
    command({ type: 'SetRoleThreshold', wins: 1, roleId: GOLD }),
    command({ type: 'RemoveRoleThreshold', wins: 1 }),
    command({ type: 'AddClanTag', tag: 'ABC' }),
    command({ type: 'RemoveClanTag', tag: 'ABC' }),
    command({ type: 'AddAdminRole', roleId: GOLD }),
    command({ type: 'RemoveAdminRole', roleId: GOLD }),
    command({ type: 'StartGuildSync', runId: 'r', trigger: 'scheduled', userId: null }),
    command({
      type: 'CompleteGuildSync',
      runId: 'r',
      checked: 0,
      changed: 0,
      failed: 0,
      durationMs: 0,
      completedAt: '2026-03-20T12:00:00Z',
      failures: [],
    }),
    command({ type: 'StartSyncBackoff', runId: null, until: '2026-03-20T12:05:00Z', consecutiveFailures: 3 }),
  ];

  it.each(everyCommandButRegister.map((c) => [c.type, c] as const))('refuses %s on an unregistered guild', (_type, when) => {
    const refused = refusal([], when);
    expect(refused).toBeInstanceOf(NotFound);
    expect(refused.message).toBe(`Guild ${GUILD} is not registered with Herald.`);
  });
});

describe('guild state', () => {
  it('starts with the default mode and interval', () => {
    expect(foldEvents(guildDecider, [registered])).toEqual({
      registered: true,
      guildId: GUILD,
      name: 'Falcons',
      countingMode: 'sessions_with_clan',
      syncIntervalHours: 24,
      thresholds: [],
      clanTags: [],
      adminRoleIds: [ADMIN],
      lastSyncAt: null,
      backoffUntil: null,
    });
  });

  it('folds every kind of guild event', () => {
    const state = foldEvents(guildDecider, [
      ...withTiers,
      threshold(50, GOLD),
      threshold(10, SILVER),
      { type: 'RoleThresholdRemoved', data: { wins: 0, roleId: BRONZE } },
      { type: 'GuildSettingsChanged', data: { countingMode: 'total', syncIntervalHours: 6 } },
      tagAdded('XYZ'),
      tagAdded('ABC'),
      tagAdded('DEF'),
      { type: 'ClanTagRemoved', data: { tag: 'DEF' } },
      { type: 'AdminRoleAdded', data: { roleId: GOLD } },
      { type: 'AdminRoleRemoved', data: { roleId: ADMIN } },
      { type: 'GuildSyncStarted', data: { runId: 'r', trigger: 'scheduled', userId: null } },
      {
        type: 'GuildSyncCompleted',
        data: { runId: 'r', checked: 0, changed: 0, failed: 0, durationMs: 5, completedAt: '2026-03-20T12:00:00.000Z', failures: [] },
      },
      { type: 'SyncBackoffStarted', data: { runId: null, until: '2026-03-20T12:05:00.000Z', consecutiveFailures: 3 } },
    ]);
    expect(state).toMatchObject({
      countingMode: 'total',
      syncIntervalHours: 6,
      thresholds: [
        { wins: 10, roleId: SILVER },
        { wins: 50, roleId: GOLD },
      ],
      clanTags: ['ABC', 'XYZ'],
      adminRoleIds: [GOLD],
      lastSyncAt: '2026-03-20T12:00:00.000Z',
      backoffUntil: '2026-03-20T12:05:00.000Z',
    });
    expect(guildThresholdRoleIds(state)).toEqual([SILVER, GOLD]);
  });

  it('lets a replaced role serve another threshold', () => {
    const given = [...withTiers, threshold(10, GOLD, SILVER)];
    expect(decide(given, command({ type: 'SetRoleThreshold', wins: 50, roleId: SILVER }))).toEqual([threshold(50, SILVER)]);
  });

  it('ignores an event type it does not know', () => {
    const unknown = { type: 'GuildRenamed', data: { name: 'x' } } as unknown as GuildEvent;
    expect(foldEvents(guildDecider, [registered, unknown])).toEqual(foldEvents(guildDecider, [registered]));
  });
});
