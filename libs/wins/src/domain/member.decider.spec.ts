import { foldEvents, type HeraldError, InvalidInput, NotFound } from '@herald/core';
import type { MemberEvent, RoleChangeFailure } from './events';
import { type MemberCommand, memberDecider, type MemberState, needsRoleReconcile } from './member.decider';

const GUILD = '300000000000000001';
const USER = '300000000000000002';
const BRONZE = '300000000000000021';
const SILVER = '300000000000000022';
const LINKED_AT = '2026-03-01T12:00:00.000Z';
const ids = { guildId: GUILD, userId: USER };

const linked = (playerId = 'q8ZfR2mK', username: string | null = 'Falcon'): MemberEvent => ({
  type: 'PlayerLinked',
  data: { ...ids, playerId, linkedAt: LINKED_AT, username, linkedBy: 'member' },
});
const synced = (wins: number, previousWins: number | null = null, username: string | null = 'Falcon'): MemberEvent => ({
  type: 'WinsSynced',
  data: { ...ids, playerId: 'q8ZfR2mK', wins, previousWins, countingMode: 'sessions_with_clan', username },
});
const failed = (reason: 'player_not_found' | 'upstream_unavailable' = 'upstream_unavailable'): MemberEvent => ({
  type: 'MemberSyncFailed',
  data: { ...ids, playerId: 'q8ZfR2mK', reason, detail: 'HTTP 503' },
});
const reconciled = (wantedRoleId: string | null, thresholdRoleIds: string[], failures: RoleChangeFailure[] = []): MemberEvent => ({
  type: 'MemberRolesReconciled',
  data: { ...ids, wantedRoleId, added: [], removed: [], thresholdRoleIds, failures },
});
const missingPermissions: RoleChangeFailure = {
  roleId: SILVER,
  action: 'add',
  reason: 'missing_permissions',
  code: 50013,
  message: 'Missing Permissions',
};

const link = (playerId = 'q8ZfR2mK', linkedAt = LINKED_AT): MemberCommand => ({
  type: 'LinkPlayer',
  ...ids,
  playerId,
  linkedAt,
  username: 'Falcon',
  linkedBy: 'member',
});
const recordWins = (wins: number, overrides: Partial<Extract<MemberCommand, { type: 'RecordWins' }>> = {}): MemberCommand => ({
  type: 'RecordWins',
  ...ids,
  playerId: 'q8ZfR2mK',
  wins,
  countingMode: 'sessions_with_clan',
  username: 'Falcon',
  ...overrides,
});
const recordFailure = (reason: 'player_not_found' | 'upstream_unavailable', playerId = 'q8ZfR2mK'): MemberCommand => ({
  type: 'RecordSyncFailure',
  ...ids,
  playerId,
  reason,
  detail: 'HTTP 503',
});

const stateOf = (events: MemberEvent[]): MemberState => foldEvents(memberDecider, events);
const decide = (given: MemberEvent[], when: MemberCommand) => memberDecider.decide(when, stateOf(given));

describe('member decider: accepted commands', () => {
  it.each<{ name: string; given: MemberEvent[]; when: MemberCommand; then: MemberEvent[] }>([
    {
      name: 'links a player, the time in UTC',
      given: [],
      when: link('q8ZfR2mK', '2026-03-01T13:00:00+01:00'),
      then: [linked()],
    },
    { name: 'links the same player again as a no-op', given: [linked(), synced(9)], when: link(), then: [] },
    {
      name: 'replaces the link with another player',
      given: [linked(), synced(9)],
      when: link('Zx9Kp2Lw'),
      then: [linked('Zx9Kp2Lw')],
    },
    {
      name: 'unlinks the linked player',
      given: [linked()],
      when: { type: 'UnlinkPlayer', ...ids },
      then: [{ type: 'PlayerUnlinked', data: { ...ids, playerId: 'q8ZfR2mK' } }],
    },
    { name: 'records the first count', given: [linked()], when: recordWins(9), then: [synced(9)] },
    { name: 'records a changed count with the previous one', given: [linked(), synced(9)], when: recordWins(11), then: [synced(11, 9)] },
    { name: 'records nothing for an unchanged count', given: [linked(), synced(9)], when: recordWins(9), then: [] },
    {
      name: 'records nothing for an unchanged count under a new name',
      given: [linked(), synced(9)],
      when: recordWins(9, { username: 'Falcon2' }),
      then: [],
    },
    {
      name: 'records the same count in another mode',
      given: [linked(), synced(9)],
      when: recordWins(9, { countingMode: 'total' }),
      then: [{ type: 'WinsSynced', data: { ...ids, playerId: 'q8ZfR2mK', wins: 9, previousWins: 9, countingMode: 'total', username: 'Falcon' } }],
    },
    {
      name: 'records an unchanged count after a failure, to clear it',
      given: [linked(), synced(9), failed()],
      when: recordWins(9),
      then: [synced(9, 9)],
    },
    { name: 'ignores a count for a member without a link', given: [], when: recordWins(9), then: [] },
    { name: 'ignores a count for a player no longer linked', given: [linked('Zx9Kp2Lw')], when: recordWins(9), then: [] },
    { name: 'ignores a count after an unlink', given: [linked(), { type: 'PlayerUnlinked', data: { ...ids, playerId: 'q8ZfR2mK' } }], when: recordWins(9), then: [] },
    { name: 'records a failure', given: [linked(), synced(9)], when: recordFailure('upstream_unavailable'), then: [failed()] },
    { name: 'records a repeated failure once', given: [linked(), failed()], when: recordFailure('upstream_unavailable'), then: [] },
    {
      name: 'records a failure with another reason',
      given: [linked(), failed('upstream_unavailable')],
      when: recordFailure('player_not_found'),
      then: [failed('player_not_found')],
    },
    { name: 'records a failure again after a success', given: [linked(), failed(), synced(9)], when: recordFailure('upstream_unavailable'), then: [failed()] },
    { name: 'ignores a failure of a player no longer linked', given: [linked()], when: recordFailure('player_not_found', 'Zx9Kp2Lw'), then: [] },
    {
      name: 'records every reconcile, failures included',
      given: [linked(), reconciled(SILVER, [BRONZE, SILVER])],
      when: { type: 'RecordRolesReconciled', ...reconciled(SILVER, [BRONZE, SILVER], [missingPermissions]).data } as MemberCommand,
      then: [reconciled(SILVER, [BRONZE, SILVER], [missingPermissions])],
    },
  ])('$name', ({ given, when, then }) => {
    expect(decide(given, when)).toEqual(then);
  });
});

describe('member decider: refused commands', () => {
  function refusal(given: MemberEvent[], when: MemberCommand): HeraldError {
    try {
      decide(given, when);
    } catch (error) {
      return error as HeraldError;
    }
    throw new Error('the command was accepted');
  }

  it.each([
    { name: 'a player id that is not URL-safe', playerId: '../admin', fields: ['playerId'] },
    { name: 'an empty player id', playerId: '', fields: ['playerId'] },
  ])('refuses to link $name', ({ playerId, fields }) => {
    const refused = refusal([], link(playerId));
    expect(refused).toBeInstanceOf(InvalidInput);
    expect(refused.errors?.map((e) => e.field)).toEqual(fields);
  });

  it('refuses to link a user id that is no snowflake', () => {
    const refused = refusal([], { ...link(), userId: 'alice' } as MemberCommand);
    expect(refused.errors?.map((e) => e.field)).toEqual(['userId']);
  });

  it.each([
    { name: 'never linked', given: [] },
    { name: 'already unlinked', given: [linked(), { type: 'PlayerUnlinked', data: { ...ids, playerId: 'q8ZfR2mK' } } as MemberEvent] },
  ])('refuses to unlink a member $name', ({ given }) => {
    expect(refusal(given, { type: 'UnlinkPlayer', ...ids })).toBeInstanceOf(NotFound);
  });

  it('treats a negative count as a bug', () => {
    expect(() => decide([linked()], recordWins(-1))).toThrow(RangeError);
  });
});

describe('member state', () => {
  it('holds the link, the count and its mode, and clears a failure on success', () => {
    expect(stateOf([linked(), failed(), synced(9)])).toEqual({
      link: { playerId: 'q8ZfR2mK', linkedAt: LINKED_AT, username: 'Falcon' },
      wins: 9,
      countingMode: 'sessions_with_clan',
      lastFailure: null,
      reconciled: null,
    });
  });

  it('keeps the known name when a sync read none, and takes a new one', () => {
    expect(stateOf([linked(), synced(9, null, null)]).link?.username).toBe('Falcon');
    expect(stateOf([linked(), synced(9, null, 'Hawk')]).link?.username).toBe('Hawk');
  });

  it('forgets the count of the old player on a new link, but not the roles it set', () => {
    const state = stateOf([linked(), synced(9), reconciled(SILVER, [SILVER]), linked('Zx9Kp2Lw')]);
    expect(state).toMatchObject({ wins: null, countingMode: null, lastFailure: null });
    expect(state.reconciled).toEqual({ wantedRoleId: SILVER, thresholdRoleIds: [SILVER], succeeded: true });
  });

  it('forgets the link and its count on unlink', () => {
    const state = stateOf([linked(), synced(9), failed(), { type: 'PlayerUnlinked', data: { ...ids, playerId: 'q8ZfR2mK' } }]);
    expect(state).toMatchObject({ link: null, wins: null, countingMode: null, lastFailure: null });
  });
});

describe('role reconcile need', () => {
  it.each<{ name: string; given: MemberEvent[]; wanted: string | null; roles: string[]; needed: boolean }>([
    { name: 'a member never reconciled', given: [linked()], wanted: null, roles: [], needed: true },
    { name: 'nothing changed since a clean reconcile', given: [reconciled(SILVER, [BRONZE, SILVER])], wanted: SILVER, roles: [SILVER, BRONZE], needed: false },
    { name: 'no role wanted, again', given: [reconciled(null, [BRONZE])], wanted: null, roles: [BRONZE], needed: false },
    { name: 'the last reconcile left failures', given: [reconciled(SILVER, [BRONZE, SILVER], [missingPermissions])], wanted: SILVER, roles: [BRONZE, SILVER], needed: true },
    { name: 'another role is wanted', given: [reconciled(BRONZE, [BRONZE, SILVER])], wanted: SILVER, roles: [BRONZE, SILVER], needed: true },
    { name: 'a threshold role was removed', given: [reconciled(SILVER, [BRONZE, SILVER])], wanted: SILVER, roles: [SILVER], needed: true },
    { name: 'a threshold role was added', given: [reconciled(SILVER, [SILVER])], wanted: SILVER, roles: [BRONZE, SILVER], needed: true },
    {
      name: 'a failed reconcile was followed by a clean one',
      given: [reconciled(SILVER, [SILVER], [missingPermissions]), reconciled(SILVER, [SILVER])],
      wanted: SILVER,
      roles: [SILVER],
      needed: false,
    },
  ])('is $needed for $name', ({ given, wanted, roles, needed }) => {
    expect(needsRoleReconcile(stateOf(given), wanted, roles)).toBe(needed);
  });
});
