import { API_TOKEN_EVENT_TYPES } from '../../../libs/identity/src/domain/events';
import { FRONTING_EVENT_TYPES } from '../../../libs/fronting/src/domain/events';
import type { IntegrationEvent } from '../../../libs/imports/src/domain/events';
import { FOLLOW_EVENT_TYPES, PRESENCE_EVENT_TYPES } from '../../../libs/presence/src/domain/events';
import { GUILD_EVENT_TYPES, MEMBER_EVENT_TYPES } from '../../../libs/wins/src/domain/events';
import {
  type AuditEntry,
  auditSummary,
  GUILD_AUDIT_EVENT_TYPES,
  shownData,
  unseen,
  untilParam,
  USER_AUDIT_EVENT_TYPES,
} from '../src/audit';
import { formatDateTime } from '../src/format';

/** Every event type of an integration stream: the compiler says when one is added and not listed here. */
const INTEGRATION_EVENT_TYPES: Record<IntegrationEvent['type'], true> = {
  IntegrationConnected: true,
  TokenRefreshStarted: true,
  TokensRefreshed: true,
  TokenRefreshFailed: true,
  IntegrationReconnectNeeded: true,
  IntegrationDisconnected: true,
  IntegrationEnabled: true,
  IntegrationDisabled: true,
  DailyMetricsImported: true,
};

/** What the API redacts a secret field to. */
const REDACTED = '[redacted]';

describe('the audit type filter', () => {
  it('offers every event type of a guild', () => {
    expect([...GUILD_AUDIT_EVENT_TYPES].sort()).toEqual([...GUILD_EVENT_TYPES, ...MEMBER_EVENT_TYPES].sort());
  });

  it("offers every event type of a user's presence, follows, fronting, integrations and tokens", () => {
    const userStreamTypes = [
      ...PRESENCE_EVENT_TYPES,
      ...FOLLOW_EVENT_TYPES,
      ...FRONTING_EVENT_TYPES,
      ...Object.keys(INTEGRATION_EVENT_TYPES),
      ...API_TOKEN_EVENT_TYPES,
    ];
    expect([...USER_AUDIT_EVENT_TYPES].sort()).toEqual(userStreamTypes.sort());
  });

  it('gives every offered event type its own summary rather than the list of its fields', () => {
    const unsummarized = [...USER_AUDIT_EVENT_TYPES, ...GUILD_AUDIT_EVENT_TYPES].filter(
      (type) => auditSummary({ type, data: { unlikelyField: 'x' } }) === 'unlikelyField: x',
    );
    expect(unsummarized).toEqual([]);
  });
});

describe('audit entry summaries', () => {
  it.each([
    ['PresenceChanged', { status: 'dnd', previousStatus: 'online', message: 'mixing', daw: null, reason: 'manual' }, "status dnd · 'mixing'"],
    ['PresenceChanged', { status: 'offline', previousStatus: 'online', message: null, daw: null, reason: 'timeout' }, 'status offline · no activity'],
    ['PresenceChanged', { status: 'in_studio', message: 'vocals', daw: 'Ableton Live 12', reason: 'manual' }, "status in_studio · 'vocals' · in Ableton Live 12"],
    ['PresencePrivacyChanged', { showActivityStatus: true, showLastActive: false }, 'activity status shown · last active hidden'],
    ['UserFollowed', { followerId: 'u1', followeeId: 'u2' }, 'followed u2'],
    [
      'FrontingSettingsChanged',
      { simplyPluralToken: REDACTED, pluralKitToken: null, enableToPluralKit: false, changed: ['simplyPluralToken'] },
      'SimplyPlural token set',
    ],
    [
      'FrontingSettingsChanged',
      { simplyPluralToken: REDACTED, pluralKitToken: null, enableToPluralKit: false, changed: ['pluralKitToken', 'enableToPluralKit'] },
      'PluralKit token removed · PluralKit switches off',
    ],
    ['FrontersObserved', { fronters: [{ id: 'a', name: 'Ash', kind: 'member', pluralKitId: null }, { id: 'b', name: 'Birch', kind: 'member', pluralKitId: 'x' }] }, 'fronting: Ash, Birch'],
    ['FrontersObserved', { fronters: [] }, 'nobody fronting'],
    ['SwitchPostFailed', { reason: 'stale_member', detail: 'no member', staleMemberId: 'abcde', pluralKitIds: ['abcde'] }, 'PluralKit switch failed: PluralKit has no such member · member abcde'],
    ['TokenRejected', { service: 'simplyplural' }, 'SimplyPlural refused the token'],
    ['IntegrationConnected', { pluginId: 'fitbit', connectionId: 'c1', credentials: REDACTED, tokenType: REDACTED, scopes: ['activity'] }, 'fitbit connected'],
    ['IntegrationReconnectNeeded', { reason: 'refresh_token_rejected', basedOn: 'c1' }, 'reconnect needed: the service refused to refresh the connection'],
    ['DailyMetricsImported', { pluginId: 'fitbit', startDate: '2025-03-01', endDate: '2025-03-03', days: [{}, {}] }, 'fitbit: 2 days imported from 2025-03-01 to 2025-03-03'],
    ['ApiTokenRevoked', { tokenId: 'tok_1' }, 'API token or session revoked'],
    ['RoleThresholdSet', { wins: 30, roleId: '123', replacedRoleId: null }, '30 wins → role 123'],
    ['WinsSynced', { userId: '42', playerId: 'p', wins: 12, previousWins: 10 }, '42: 10 → 12 wins'],
  ])('%s %o reads %p', (type, data, expected) => {
    expect(auditSummary({ type, data })).toBe(expected);
  });

  it('tells a console session from a personal API token, and when each ends', () => {
    const expiresAt = '2025-03-01T12:00:00.000Z';
    const session = { tokenId: 't1', tokenHash: REDACTED, scopes: ['user:1'], label: 'web console session', expiresAt, session: { displayName: 'Ash', adminGuilds: [] } };
    const token = { tokenId: 't2', tokenHash: REDACTED, scopes: ['user:1', 'audit:9'], label: 'ci' };

    expect(auditSummary({ type: 'ApiTokenIssued', data: session })).toBe(`console session started, until ${formatDateTime(expiresAt)}`);
    expect(auditSummary({ type: 'ApiTokenIssued', data: token })).toBe("API token 'ci' issued · scopes user:1, audit:9 · no expiry");
  });

  it('lists the plain fields of an event type it has no words for, without token-like ones', () => {
    const data = { plugin: 'oura', days: 3, accessToken: REDACTED, clientSecret: REDACTED, tokenId: 't1', nested: { a: 1 } };
    expect(auditSummary({ type: 'SomethingNew', data })).toBe('plugin: oura · days: 3');
  });
});

describe('what an audit entry shows of its data', () => {
  it('leaves out every field named like a token or a secret, at any depth', () => {
    const data = {
      pluginId: 'fitbit',
      tokenType: 'Bearer',
      refreshToken: REDACTED,
      scopes: ['activity'],
      settings: { clientSecret: REDACTED, clientId: 'abc' },
      items: [{ apiToken: REDACTED, name: 'x' }],
    };
    expect(shownData(data)).toEqual({ pluginId: 'fitbit', scopes: ['activity'], settings: { clientId: 'abc' }, items: [{ name: 'x' }] });
  });
});

describe('audit paging', () => {
  const entry = (position: number): AuditEntry => ({ position, type: 'PresenceChanged', occurredAt: '', actorId: null, source: 'api', data: {} });

  it('drops the entries a later page repeats because new events arrived since the first page', () => {
    expect(unseen([entry(9), entry(8)], [entry(8), entry(7)]).map((e) => e.position)).toEqual([7]);
  });

  it('reads an empty or unreadable "up to" time as no limit', () => {
    expect(untilParam('')).toBeUndefined();
    expect(untilParam('not a time')).toBeUndefined();
    expect(untilParam('2025-03-01T12:30')).toBe(new Date(2025, 2, 1, 12, 30).toISOString());
  });
});
