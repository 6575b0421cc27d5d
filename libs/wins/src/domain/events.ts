import type { DomainEvent } from '@herald/core';
import type { CountingMode } from './ids';

//////// Guild stream: guild-<guildId> ////////

/** Herald started serving a guild; `adminRoleIds` are the roles seeded as Herald admins. */
export type GuildRegistered = DomainEvent<
  'GuildRegistered',
  { guildId: string; name: string | null; adminRoleIds: string[] }
>;

/** Guild settings changed; only the fields that changed are present. */
export type GuildSettingsChanged = DomainEvent<
  'GuildSettingsChanged',
  { countingMode?: CountingMode; syncIntervalHours?: number }
>;

/** The threshold of `wins` now gives `roleId`; `replacedRoleId` is the role it gave before, if it existed. */
export type RoleThresholdSet = DomainEvent<
  'RoleThresholdSet',
  { wins: number; roleId: string; replacedRoleId: string | null }
>;

export type RoleThresholdRemoved = DomainEvent<'RoleThresholdRemoved', { wins: number; roleId: string }>;

/** Tags are stored upper-case. */
export type ClanTagAdded = DomainEvent<'ClanTagAdded', { tag: string }>;
export type ClanTagRemoved = DomainEvent<'ClanTagRemoved', { tag: string }>;

/** Members holding an admin role may run the guild's admin commands. */
export type AdminRoleAdded = DomainEvent<'AdminRoleAdded', { roleId: string }>;
export type AdminRoleRemoved = DomainEvent<'AdminRoleRemoved', { roleId: string }>;

export type SyncTrigger = 'scheduled' | 'manual';

/** A sync run began; `userId` is who asked for a manual run (null when scheduled). */
export type GuildSyncStarted = DomainEvent<
  'GuildSyncStarted',
  { runId: string; trigger: SyncTrigger; userId: string | null }
>;

export type MemberSyncFailureReason = 'player_not_found' | 'upstream_unavailable' | 'upstream_malformed';

export interface MemberSyncFailureSummary {
  userId: string;
  playerId: string;
  reason: MemberSyncFailureReason;
}

/** A sync run ended: members checked, whose count changed, that failed, and when it ended (ISO). */
export type GuildSyncCompleted = DomainEvent<
  'GuildSyncCompleted',
  {
    runId: string;
    checked: number;
    changed: number;
    failed: number;
    durationMs: number;
    completedAt: string;
    failures: MemberSyncFailureSummary[];
  }
>;

/** Upstream kept failing: no sync of this guild starts before `until` (ISO); `runId` is the run that gave up, if any. */
export type SyncBackoffStarted = DomainEvent<
  'SyncBackoffStarted',
  { runId: string | null; until: string; consecutiveFailures: number }
>;

export type GuildEvent =
  | GuildRegistered
  | GuildSettingsChanged
  | RoleThresholdSet
  | RoleThresholdRemoved
  | ClanTagAdded
  | ClanTagRemoved
  | AdminRoleAdded
  | AdminRoleRemoved
  | GuildSyncStarted
  | GuildSyncCompleted
  | SyncBackoffStarted;

export const GUILD_EVENT_TYPES: ReadonlyArray<GuildEvent['type']> = [
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
];

//////// Member stream: guildmember-<guildId>_<userId> ////////

export type LinkedBy = 'member' | 'admin';

/** A member's OpenFront player, linked by themselves or by an admin; replaces any earlier link. */
export type PlayerLinked = DomainEvent<
  'PlayerLinked',
  { guildId: string; userId: string; playerId: string; linkedAt: string; username: string | null; linkedBy: LinkedBy }
>;

export type PlayerUnlinked = DomainEvent<'PlayerUnlinked', { guildId: string; userId: string; playerId: string }>;

/** A sync counted a different number of wins (or counted for the first time, or after a failure). */
export type WinsSynced = DomainEvent<
  'WinsSynced',
  {
    guildId: string;
    userId: string;
    playerId: string;
    wins: number;
    previousWins: number | null;
    countingMode: CountingMode;
    username: string | null;
  }
>;

/** A sync could not count this member; `detail` is for admins and carries no secret. */
export type MemberSyncFailed = DomainEvent<
  'MemberSyncFailed',
  { guildId: string; userId: string; playerId: string; reason: MemberSyncFailureReason; detail: string }
>;

/** A Discord role change that did not happen, and why (by Discord's error: 50013, 10011, 10007, other). */
export interface RoleChangeFailure {
  roleId: string;
  action: 'add' | 'remove';
  reason: 'missing_permissions' | 'unknown_role' | 'unknown_member' | 'error';
  /** Discord's JSON error code, when it gave one. */
  code: number | null;
  message: string;
}

/** Herald made the member's threshold roles match `wantedRoleId`, against the set of roles it manages. */
export type MemberRolesReconciled = DomainEvent<
  'MemberRolesReconciled',
  {
    guildId: string;
    userId: string;
    wantedRoleId: string | null;
    added: string[];
    removed: string[];
    thresholdRoleIds: string[];
    failures: RoleChangeFailure[];
  }
>;

export type MemberEvent = PlayerLinked | PlayerUnlinked | WinsSynced | MemberSyncFailed | MemberRolesReconciled;

export const MEMBER_EVENT_TYPES: ReadonlyArray<MemberEvent['type']> = [
  'PlayerLinked',
  'PlayerUnlinked',
  'WinsSynced',
  'MemberSyncFailed',
  'MemberRolesReconciled',
];

//////// Stream config-global ////////

/**
 * A guild and all its data were removed. Its own streams are deleted with it, so this audit
 * record lives in `config-global`.
 */
export type GuildRemoved = DomainEvent<'GuildRemoved', { guildId: string; actorId: string | null }>;

export type WinsEvent = GuildEvent | MemberEvent | GuildRemoved;

/** Every event type of the wins feature, for projections to subscribe to. */
export const WINS_EVENT_TYPES: ReadonlyArray<WinsEvent['type']> = [
  ...GUILD_EVENT_TYPES,
  ...MEMBER_EVENT_TYPES,
  'GuildRemoved',
];
