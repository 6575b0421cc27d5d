import { adminGuildsOf, administers, discordSessionScopes, type DiscordGuildSummary } from './discord-sign-in';

const guild = (id: string, change: Partial<DiscordGuildSummary> = {}): DiscordGuildSummary => ({
  id,
  name: `Guild ${id}`,
  owner: false,
  permissions: '0',
  ...change,
});

describe('who administers a guild, for sign-in', () => {
  it.each([
    ['the owner, whatever the permissions', guild('1', { owner: true }), true],
    ['a member with Administrator', guild('1', { permissions: String(0x8) }), true],
    ['a member with Manage Guild', guild('1', { permissions: String(0x20) }), true],
    ['a member with both among many bits (beyond 2^53)', guild('1', { permissions: (2n ** 60n + 0x28n + 0x400n).toString() }), true],
    ['a member with Manage Roles and Kick only', guild('1', { permissions: String(0x10000000 | 0x2) }), false],
    ['a member with no permissions', guild('1'), false],
    ['a permission field that is not a number', guild('1', { permissions: 'lots' }), false],
  ])('%s: %s', (_case, summary, expected) => {
    expect(administers(summary)).toBe(expected);
  });

  it('gives admin guilds only where the user administers AND Herald serves the guild', () => {
    const guilds = [
      guild('10', { owner: true, name: 'Owned and registered' }),
      guild('20', { permissions: String(0x8), name: 'Admin, not registered' }),
      guild('30', { name: 'Registered, plain member' }),
      guild('40', { permissions: String(0x20), name: 'Manager and registered' }),
    ];
    expect(adminGuildsOf(guilds, new Set(['10', '30', '40']))).toEqual([
      { guildId: '10', name: 'Owned and registered' },
      { guildId: '40', name: 'Manager and registered' },
    ]);
  });

  it("scopes a Discord session to its user and its admin guilds' admin scopes", () => {
    expect(discordSessionScopes('80351110224678912', [{ guildId: '10', name: 'A' }, { guildId: '40', name: 'B' }])).toEqual([
      'user:80351110224678912',
      'guild:10:admin',
      'guild:40:admin',
    ]);
  });
});
