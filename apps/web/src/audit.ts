import { formatDateTime } from './format';

/** One line of an audit, as `GET /api/v1/guilds/:guildId/audit` and `GET /api/v1/users/:userId/audit` answer it. */
export interface AuditEntry {
  position: number;
  type: string;
  occurredAt: string;
  actorId: string | null;
  source: string;
  data: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntry[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

/** `GET /api/v1/guilds/:guildId/state?at=`: the guild replayed from its streams up to a moment. */
export interface GuildStateAt {
  at: string;
  position: number | null;
  state: { wins?: WinsGuildState; activity?: { events: number } } & Record<string, unknown>;
}

export interface WinsGuildState {
  guild: {
    name: string | null;
    countingMode: string;
    syncIntervalHours: number;
    thresholds: Array<{ wins: number; roleId: string }>;
    clanTags: string[];
    adminRoleIds: string[];
    lastSyncAt: string | null;
  };
  members: Record<string, { link: { playerId: string; username: string | null } | null; wins: number | null }>;
}

/** Event types the audit's type filter offers together, under one heading. */
export interface AuditTypeGroup {
  label: string;
  types: readonly string[];
}

export const GUILD_AUDIT_EVENT_GROUPS: readonly AuditTypeGroup[] = [
  {
    label: 'Guild',
    types: [
      'GuildRegistered',
      'GuildSettingsChanged',
      'RoleThresholdSet',
      'RoleThresholdRemoved',
      'ClanTagAdded',
      'ClanTagRemoved',
      'AdminRoleAdded',
      'AdminRoleRemoved',
      'GuildSyncStarted',
      'GuildSyncCompleted',
      'SyncBackoffStarted',
    ],
  },
  { label: 'Members', types: ['PlayerLinked', 'PlayerUnlinked', 'WinsSynced', 'MemberSyncFailed', 'MemberRolesReconciled'] },
];

/** The streams of a user's audit: presence, follows and tokens (`user-`), fronting (`system-`), integrations. */
export const USER_AUDIT_EVENT_GROUPS: readonly AuditTypeGroup[] = [
  { label: 'Presence', types: ['PresenceChanged', 'PresencePrivacyChanged', 'PresenceMirrored', 'PresenceMirrorFailed'] },
  { label: 'Follows', types: ['UserFollowed', 'UserUnfollowed'] },
  {
    label: 'Fronting',
    types: ['FrontingSettingsChanged', 'FrontersObserved', 'SwitchPosted', 'PluralKitAlreadyInSync', 'SwitchPostFailed', 'TokenRejected'],
  },
  {
    label: 'Integrations',
    types: [
      'IntegrationConnected',
      'IntegrationDisconnected',
      'IntegrationEnabled',
      'IntegrationDisabled',
      'TokenRefreshStarted',
      'TokensRefreshed',
      'TokenRefreshFailed',
      'IntegrationReconnectNeeded',
      'DailyMetricsImported',
    ],
  },
  { label: 'Tokens and sessions', types: ['ApiTokenIssued', 'ApiTokenRevoked'] },
];

export const GUILD_AUDIT_EVENT_TYPES: readonly string[] = GUILD_AUDIT_EVENT_GROUPS.flatMap((group) => group.types);
export const USER_AUDIT_EVENT_TYPES: readonly string[] = USER_AUDIT_EVENT_GROUPS.flatMap((group) => group.types);

/**
 * Field names the console never shows, whatever they hold. The API redacts secrets already; this
 * keeps even a redacted token, or a token's id, off the screen.
 */
const TOKEN_LIKE_FIELD = /token|secret/i;

/** Event data without its token-like fields, at any depth: what the console may show of it. */
export function shownData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shownData);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !TOKEN_LIKE_FIELD.test(key))
      .map(([key, field]) => [key, shownData(field)]),
  );
}

type Data = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const count = (value: unknown): number => (Array.isArray(value) ? value.length : 0);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
/** The parts that say something, joined as one line. */
const parts = (...items: Array<string | false | null | undefined>): string => items.filter(Boolean).join(' · ');

const SERVICE_NAMES: Record<string, string> = { simplyplural: 'SimplyPlural', pluralkit: 'PluralKit' };
const PRESENCE_REASONS: Record<string, string> = {
  connect: 'activity came back',
  disconnect: 'last connection closed',
  timeout: 'no activity',
};
const SWITCH_FAILURES: Record<string, string> = {
  stale_member: 'PluralKit has no such member',
  upstream_unavailable: 'PluralKit was unavailable',
  upstream_refused: 'PluralKit refused it',
};
const RECONNECT_REASONS: Record<string, string> = {
  refresh_token_rejected: 'the service refused to refresh the connection',
  credentials_rejected: 'the service refused the connection',
};

function frontingSettingChange(setting: string, data: Data): string {
  switch (setting) {
    case 'simplyPluralToken':
      return data.simplyPluralToken === null ? 'SimplyPlural token removed' : 'SimplyPlural token set';
    case 'pluralKitToken':
      return data.pluralKitToken === null ? 'PluralKit token removed' : 'PluralKit token set';
    case 'enableToPluralKit':
      return data.enableToPluralKit === true ? 'PluralKit switches on' : 'PluralKit switches off';
    default:
      return `${setting} changed`;
  }
}

function fronterNames(value: unknown): string[] {
  return Array.isArray(value) ? value.map((fronter) => text((fronter as Data | null)?.name)).filter(Boolean) : [];
}

/** A short line per event type that says what the event means; anything else falls back to its plain fields. */
const SUMMARIES: Record<string, (data: Data) => string> = {
  PresenceChanged: (d) =>
    parts(`status ${text(d.status)}`, text(d.message) && `'${text(d.message)}'`, text(d.daw) && `in ${text(d.daw)}`, PRESENCE_REASONS[text(d.reason)]),
  PresencePrivacyChanged: (d) =>
    parts(`activity status ${d.showActivityStatus ? 'shown' : 'hidden'}`, `last active ${d.showLastActive ? 'shown' : 'hidden'}`),
  PresenceMirrored: (d) => `GetStream shows you ${d.invisible ? 'invisible' : 'visible'}`,
  PresenceMirrorFailed: (d) => parts(`GetStream refused to show you ${d.invisible ? 'invisible' : 'visible'}`, text(d.detail)),
  UserFollowed: (d) => `followed ${text(d.followeeId)}`,
  UserUnfollowed: (d) => `unfollowed ${text(d.followeeId)}`,

  FrontingSettingsChanged: (d) => parts(...texts(d.changed).map((setting) => frontingSettingChange(setting, d))) || 'fronting settings saved',
  FrontersObserved: (d) => {
    const names = fronterNames(d.fronters);
    return names.length > 0 ? `fronting: ${names.join(', ')}` : 'nobody fronting';
  },
  SwitchPosted: (d) => `PluralKit switch logged with ${plural(count(d.pluralKitIds), 'member')}`,
  PluralKitAlreadyInSync: () => 'PluralKit already showed these fronters',
  SwitchPostFailed: (d) =>
    parts(`PluralKit switch failed: ${SWITCH_FAILURES[text(d.reason)] ?? text(d.reason)}`, text(d.staleMemberId) && `member ${text(d.staleMemberId)}`),
  TokenRejected: (d) => `${SERVICE_NAMES[text(d.service)] ?? text(d.service)} refused the token`,

  IntegrationConnected: (d) => `${text(d.pluginId) || 'integration'} connected`,
  IntegrationDisconnected: () => 'integration disconnected',
  IntegrationEnabled: () => 'scheduled syncs resumed',
  IntegrationDisabled: () => 'scheduled syncs paused',
  TokenRefreshStarted: () => 'refreshing the connection',
  TokensRefreshed: (d) => `connection refreshed, valid until ${formatDateTime(text(d.expiresAt))}`,
  TokenRefreshFailed: (d) => parts('connection refresh failed', text(d.reason)),
  IntegrationReconnectNeeded: (d) => `reconnect needed: ${RECONNECT_REASONS[text(d.reason)] ?? text(d.reason)}`,
  DailyMetricsImported: (d) =>
    `${text(d.pluginId)}: ${plural(count(d.days), 'day')} imported from ${text(d.startDate)} to ${text(d.endDate)}`,

  ApiTokenIssued: (d) =>
    d.session
      ? `console session started, until ${formatDateTime(text(d.expiresAt))}`
      : parts(
          d.label ? `API token '${text(d.label)}' issued` : 'API token issued',
          `scopes ${texts(d.scopes).join(', ') || 'none'}`,
          d.expiresAt ? `until ${formatDateTime(text(d.expiresAt))}` : 'no expiry',
        ),
  ApiTokenRevoked: () => 'API token or session revoked',

  GuildRegistered: (d) => (d.name ? `registered as '${text(d.name)}'` : 'registered'),
  GuildSettingsChanged: (d) =>
    parts(d.countingMode !== undefined && `counting mode ${text(d.countingMode)}`, d.syncIntervalHours !== undefined && `sync every ${String(d.syncIntervalHours)} h`) ||
    'settings saved',
  RoleThresholdSet: (d) => parts(`${String(d.wins)} wins → role ${text(d.roleId)}`, text(d.replacedRoleId) && `was role ${text(d.replacedRoleId)}`),
  RoleThresholdRemoved: (d) => `${String(d.wins)}-wins threshold removed (role ${text(d.roleId)})`,
  ClanTagAdded: (d) => `clan tag ${text(d.tag)} added`,
  ClanTagRemoved: (d) => `clan tag ${text(d.tag)} removed`,
  AdminRoleAdded: (d) => `admin role ${text(d.roleId)} added`,
  AdminRoleRemoved: (d) => `admin role ${text(d.roleId)} removed`,
  GuildSyncStarted: (d) => parts(`${text(d.trigger)} sync started`, text(d.userId) && `by ${text(d.userId)}`),
  GuildSyncCompleted: (d) => `checked ${String(d.checked)}, changed ${String(d.changed)}, failed ${String(d.failed)}`,
  SyncBackoffStarted: (d) => `syncs paused until ${formatDateTime(text(d.until))} after ${plural(Number(d.consecutiveFailures), 'failure')}`,
  PlayerLinked: (d) => `${text(d.userId)} linked to ${text(d.username) || text(d.playerId)} by ${text(d.linkedBy)}`,
  PlayerUnlinked: (d) => `${text(d.userId)} unlinked from ${text(d.playerId)}`,
  WinsSynced: (d) => `${text(d.userId)}: ${String(d.previousWins ?? '—')} → ${String(d.wins)} wins`,
  MemberSyncFailed: (d) => parts(`${text(d.userId)} not counted: ${text(d.reason)}`, text(d.detail)),
  MemberRolesReconciled: (d) =>
    parts(
      `${text(d.userId)}: roles`,
      count(d.added) > 0 && `added ${texts(d.added).join(', ')}`,
      count(d.removed) > 0 && `removed ${texts(d.removed).join(', ')}`,
      count(d.failures) > 0 && plural(count(d.failures), 'change refused', 'changes refused'),
    ),
};

/** The plain (non-object) fields of the data, as `key: value`. */
function plainFields(data: Data): string {
  return Object.entries(shownData(data) as Data)
    .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(' · ');
}

/** A short line that says what an audit entry records, in words; never a token-like field. */
export function auditSummary(entry: Pick<AuditEntry, 'type' | 'data'>): string {
  const summarize = SUMMARIES[entry.type];
  return (summarize && summarize(entry.data)) || plainFields(entry.data);
}

/** The API's `until` (ISO-8601) for a `datetime-local` value, read in the browser's time zone; none when empty or unreadable. */
export function untilParam(local: string): string | undefined {
  const date = new Date(local);
  return local === '' || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Entries not yet shown: events appended since the first page shift later pages, which then repeat some entries. */
export function unseen(shown: readonly AuditEntry[], page: readonly AuditEntry[]): AuditEntry[] {
  const positions = new Set(shown.map((entry) => entry.position));
  return page.filter((entry) => !positions.has(entry.position));
}
