import { type Decider, type FieldError, InvalidInput, NotFound } from '@herald/core';
import type { GuildEvent, GuildSyncCompleted, SyncTrigger } from './events';
import { invalidInput, isoTime, rejectIfAny, ruleError } from './field-errors';
import {
  CLAN_TAG_RULE,
  COUNTING_MODE_RULE,
  type CountingMode,
  DEFAULT_COUNTING_MODE,
  DEFAULT_SYNC_INTERVAL_HOURS,
  isCountingMode,
  isSnowflake,
  isSyncIntervalHours,
  isThresholdWins,
  normalizeClanTag,
  SNOWFLAKE_RULE,
  SYNC_INTERVAL_RULE,
  THRESHOLD_WINS_RULE,
} from './ids';
import type { RoleThreshold } from './role-tier-policy';

//////// Commands ////////
// Every command names its guild, so a refusal on an unregistered guild can say which one.

export interface RegisterGuild {
  type: 'RegisterGuild';
  guildId: string;
  name: string | null;
  adminRoleIds: string[];
}

export interface ChangeGuildSettings {
  type: 'ChangeGuildSettings';
  guildId: string;
  countingMode?: CountingMode;
  syncIntervalHours?: number;
}

export interface SetRoleThreshold {
  type: 'SetRoleThreshold';
  guildId: string;
  wins: number;
  roleId: string;
}

/** Names the threshold by its wins, its role, or both (then both must match it). */
export interface RemoveRoleThreshold {
  type: 'RemoveRoleThreshold';
  guildId: string;
  wins?: number;
  roleId?: string;
}

export interface AddClanTag {
  type: 'AddClanTag';
  guildId: string;
  /** As typed: any case, surrounding spaces allowed. */
  tag: string;
}

export interface RemoveClanTag {
  type: 'RemoveClanTag';
  guildId: string;
  tag: string;
}

export interface AddAdminRole {
  type: 'AddAdminRole';
  guildId: string;
  roleId: string;
}

export interface RemoveAdminRole {
  type: 'RemoveAdminRole';
  guildId: string;
  roleId: string;
}

export interface StartGuildSync {
  type: 'StartGuildSync';
  guildId: string;
  runId: string;
  trigger: SyncTrigger;
  userId: string | null;
}

export type CompleteGuildSync = { type: 'CompleteGuildSync'; guildId: string } & GuildSyncCompleted['data'];

export interface StartSyncBackoff {
  type: 'StartSyncBackoff';
  guildId: string;
  runId: string | null;
  /** ISO-8601. */
  until: string;
  consecutiveFailures: number;
}

/** The changes a guild admin makes to the guild's wins settings. */
export type GuildChange =
  | ChangeGuildSettings
  | SetRoleThreshold
  | RemoveRoleThreshold
  | AddClanTag
  | RemoveClanTag
  | AddAdminRole
  | RemoveAdminRole;

export type GuildCommand = RegisterGuild | GuildChange | StartGuildSync | CompleteGuildSync | StartSyncBackoff;

//////// State ////////

export interface GuildState {
  registered: boolean;
  guildId: string | null;
  name: string | null;
  countingMode: CountingMode;
  syncIntervalHours: number;
  /** Sorted by wins; one role per threshold, one threshold per role. */
  thresholds: RoleThreshold[];
  /** Upper-case, sorted. */
  clanTags: string[];
  adminRoleIds: string[];
  /** When the last sync run completed (ISO), null before the first. */
  lastSyncAt: string | null;
  /** No sync starts before this time (ISO); null when the guild never backed off. */
  backoffUntil: string | null;
}

function initialState(): GuildState {
  return {
    registered: false,
    guildId: null,
    name: null,
    countingMode: DEFAULT_COUNTING_MODE,
    syncIntervalHours: DEFAULT_SYNC_INTERVAL_HOURS,
    thresholds: [],
    clanTags: [],
    adminRoleIds: [],
    lastSyncAt: null,
    backoffUntil: null,
  };
}

/** The roles the guild's thresholds give, lowest threshold first. */
export function guildThresholdRoleIds(state: GuildState): string[] {
  return state.thresholds.map((threshold) => threshold.roleId);
}

//////// Decide ////////

function decide(command: GuildCommand, state: GuildState): GuildEvent[] {
  if (command.type === 'RegisterGuild') return registerGuild(command, state);
  if (!state.registered) {
    throw new NotFound(`Guild ${command.guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
  }
  switch (command.type) {
    case 'ChangeGuildSettings':
      return changeSettings(command, state);
    case 'SetRoleThreshold':
      return setRoleThreshold(command, state);
    case 'RemoveRoleThreshold':
      return removeRoleThreshold(command, state);
    case 'AddClanTag':
      return addClanTag(command, state);
    case 'RemoveClanTag':
      return removeClanTag(command, state);
    case 'AddAdminRole':
      return addAdminRole(command, state);
    case 'RemoveAdminRole':
      return removeAdminRole(command, state);
    case 'StartGuildSync':
      return [
        {
          type: 'GuildSyncStarted',
          data: { runId: command.runId, trigger: command.trigger, userId: command.userId },
        },
      ];
    case 'CompleteGuildSync':
      return completeGuildSync(command);
    case 'StartSyncBackoff':
      return [
        {
          type: 'SyncBackoffStarted',
          data: {
            runId: command.runId,
            until: isoTime(command.until, 'until'),
            consecutiveFailures: command.consecutiveFailures,
          },
        },
      ];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function registerGuild(command: RegisterGuild, state: GuildState): GuildEvent[] {
  const errors: FieldError[] = [];
  if (!isSnowflake(command.guildId)) errors.push(ruleError('guildId', SNOWFLAKE_RULE));
  command.adminRoleIds.forEach((roleId, index) => {
    if (!isSnowflake(roleId)) errors.push(ruleError(`adminRoleIds[${index}]`, SNOWFLAKE_RULE));
  });
  rejectIfAny(errors);
  if (state.registered) return [];
  return [
    {
      type: 'GuildRegistered',
      data: { guildId: command.guildId, name: command.name, adminRoleIds: [...new Set(command.adminRoleIds)] },
    },
  ];
}

function changeSettings(command: ChangeGuildSettings, state: GuildState): GuildEvent[] {
  const errors: FieldError[] = [];
  if (command.countingMode !== undefined && !isCountingMode(command.countingMode)) {
    errors.push(ruleError('countingMode', COUNTING_MODE_RULE));
  }
  if (command.syncIntervalHours !== undefined && !isSyncIntervalHours(command.syncIntervalHours)) {
    errors.push(ruleError('syncIntervalHours', SYNC_INTERVAL_RULE));
  }
  rejectIfAny(errors);
  const changed: { countingMode?: CountingMode; syncIntervalHours?: number } = {};
  if (command.countingMode !== undefined && command.countingMode !== state.countingMode) {
    changed.countingMode = command.countingMode;
  }
  if (command.syncIntervalHours !== undefined && command.syncIntervalHours !== state.syncIntervalHours) {
    changed.syncIntervalHours = command.syncIntervalHours;
  }
  return Object.keys(changed).length === 0 ? [] : [{ type: 'GuildSettingsChanged', data: changed }];
}

function setRoleThreshold(command: SetRoleThreshold, state: GuildState): GuildEvent[] {
  const errors: FieldError[] = [];
  if (!isThresholdWins(command.wins)) errors.push(ruleError('wins', THRESHOLD_WINS_RULE));
  if (!isSnowflake(command.roleId)) errors.push(ruleError('roleId', SNOWFLAKE_RULE));
  rejectIfAny(errors);
  const current = state.thresholds.find((threshold) => threshold.wins === command.wins);
  if (current?.roleId === command.roleId) return [];
  const roleOwner = state.thresholds.find(
    (threshold) => threshold.roleId === command.roleId && threshold.wins !== command.wins,
  );
  if (roleOwner) {
    throw new InvalidInput(`Role ${command.roleId} already belongs to the ${roleOwner.wins}-win threshold.`, {
      code: 'THRESHOLD.ROLE_IN_USE',
      errors: [
        {
          field: 'roleId',
          messages: [`role ${command.roleId} already belongs to the ${roleOwner.wins}-win threshold; a role serves one threshold only`],
        },
      ],
    });
  }
  return [
    {
      type: 'RoleThresholdSet',
      data: { wins: command.wins, roleId: command.roleId, replacedRoleId: current?.roleId ?? null },
    },
  ];
}

function removeRoleThreshold(command: RemoveRoleThreshold, state: GuildState): GuildEvent[] {
  const errors: FieldError[] = [];
  if (command.wins === undefined && command.roleId === undefined) {
    const messages = ['give wins, roleId or both'];
    errors.push({ field: 'wins', messages }, { field: 'roleId', messages });
  }
  if (command.wins !== undefined && !isThresholdWins(command.wins)) errors.push(ruleError('wins', THRESHOLD_WINS_RULE));
  if (command.roleId !== undefined && !isSnowflake(command.roleId)) errors.push(ruleError('roleId', SNOWFLAKE_RULE));
  rejectIfAny(errors);
  const threshold = state.thresholds.find(
    (candidate) =>
      (command.wins === undefined || candidate.wins === command.wins) &&
      (command.roleId === undefined || candidate.roleId === command.roleId),
  );
  if (!threshold) {
    throw new NotFound(`No role threshold ${describeThreshold(command)}.`, { code: 'THRESHOLD.NOT_FOUND' });
  }
  return [{ type: 'RoleThresholdRemoved', data: { wins: threshold.wins, roleId: threshold.roleId } }];
}

function describeThreshold({ wins, roleId }: RemoveRoleThreshold): string {
  if (wins !== undefined && roleId !== undefined) return `of ${wins} wins with role ${roleId}`;
  return wins !== undefined ? `of ${wins} wins` : `with role ${roleId}`;
}

function addClanTag(command: AddClanTag, state: GuildState): GuildEvent[] {
  const tag = requireClanTag(command.tag);
  return state.clanTags.includes(tag) ? [] : [{ type: 'ClanTagAdded', data: { tag } }];
}

function removeClanTag(command: RemoveClanTag, state: GuildState): GuildEvent[] {
  const tag = requireClanTag(command.tag);
  if (!state.clanTags.includes(tag)) {
    throw new NotFound(`Clan tag ${tag} is not in this guild's list.`, { code: 'CLAN_TAG.NOT_FOUND' });
  }
  return [{ type: 'ClanTagRemoved', data: { tag } }];
}

function requireClanTag(raw: string): string {
  const tag = normalizeClanTag(raw);
  if (tag === null) throw invalidInput([ruleError('tag', CLAN_TAG_RULE)]);
  return tag;
}

function addAdminRole(command: AddAdminRole, state: GuildState): GuildEvent[] {
  requireRoleId(command.roleId);
  return state.adminRoleIds.includes(command.roleId)
    ? []
    : [{ type: 'AdminRoleAdded', data: { roleId: command.roleId } }];
}

function removeAdminRole(command: RemoveAdminRole, state: GuildState): GuildEvent[] {
  requireRoleId(command.roleId);
  if (!state.adminRoleIds.includes(command.roleId)) {
    throw new NotFound(`Role ${command.roleId} is not an admin role of this guild.`, { code: 'ADMIN_ROLE.NOT_FOUND' });
  }
  return [{ type: 'AdminRoleRemoved', data: { roleId: command.roleId } }];
}

function requireRoleId(roleId: string): void {
  if (!isSnowflake(roleId)) throw invalidInput([ruleError('roleId', SNOWFLAKE_RULE)]);
}

function completeGuildSync(command: CompleteGuildSync): GuildEvent[] {
  const { runId, checked, changed, failed, durationMs, completedAt, failures } = command;
  return [
    {
      type: 'GuildSyncCompleted',
      data: {
        runId,
        checked,
        changed,
        failed,
        durationMs,
        completedAt: isoTime(completedAt, 'completedAt'),
        failures: failures.map(({ userId, playerId, reason }) => ({ userId, playerId, reason })),
      },
    },
  ];
}

//////// Evolve ////////

function evolve(state: GuildState, event: GuildEvent): GuildState {
  switch (event.type) {
    case 'GuildRegistered':
      return {
        ...state,
        registered: true,
        guildId: event.data.guildId,
        name: event.data.name,
        adminRoleIds: [...event.data.adminRoleIds],
      };
    case 'GuildSettingsChanged':
      return {
        ...state,
        countingMode: event.data.countingMode ?? state.countingMode,
        syncIntervalHours: event.data.syncIntervalHours ?? state.syncIntervalHours,
      };
    case 'RoleThresholdSet':
      return {
        ...state,
        thresholds: [
          ...state.thresholds.filter((threshold) => threshold.wins !== event.data.wins),
          { wins: event.data.wins, roleId: event.data.roleId },
        ].sort((a, b) => a.wins - b.wins),
      };
    case 'RoleThresholdRemoved':
      return { ...state, thresholds: state.thresholds.filter((threshold) => threshold.wins !== event.data.wins) };
    case 'ClanTagAdded':
      return { ...state, clanTags: [...state.clanTags, event.data.tag].sort() };
    case 'ClanTagRemoved':
      return { ...state, clanTags: state.clanTags.filter((tag) => tag !== event.data.tag) };
    case 'AdminRoleAdded':
      return { ...state, adminRoleIds: [...state.adminRoleIds, event.data.roleId] };
    case 'AdminRoleRemoved':
      return { ...state, adminRoleIds: state.adminRoleIds.filter((roleId) => roleId !== event.data.roleId) };
    case 'GuildSyncStarted':
      return state;
    case 'GuildSyncCompleted':
      return { ...state, lastSyncAt: event.data.completedAt };
    case 'SyncBackoffStarted':
      return { ...state, backoffUntil: event.data.until };
    default:
      // An event type this version does not know leaves the state as it is.
      event satisfies never;
      return state;
  }
}

/** A guild's Herald configuration and sync bookkeeping (stream `guild-<guildId>`). */
export const guildDecider: Decider<GuildCommand, GuildEvent, GuildState> = { decide, evolve, initialState };
