import type { APIRole, Role, User } from 'discord.js';
import { BooleanOption, IntegerOption, RoleOption, StringOption, UserOption } from 'necord';
import type { FieldError } from '@herald/core';
import { rejectIfAny, ruleError } from '../domain/field-errors';
import {
  CLAN_TAG_RULE,
  COUNTING_MODE_RULE,
  COUNTING_MODES,
  isCountingMode,
  isPlayerId,
  isSnowflake,
  isThresholdWins,
  MAX_THRESHOLD_WINS,
  MIN_THRESHOLD_WINS,
  normalizeClanTag,
  PLAYER_ID_RULE,
  SNOWFLAKE_RULE,
  THRESHOLD_WINS_RULE,
} from '../domain/ids';
import { COUNTING_MODE_SUMMARIES } from './replies';

// Option classes: what Discord shows and enforces (types, limits, choices). Discord's checks can
// be bypassed by a hand-made request, so every handler checks the values again with `optionRules`,
// the same rules (ids.ts) as the REST API. Required options come first, as Discord demands.

/** Longest player id Herald stores (ids.ts, PLAYER_ID_PATTERN). */
const MAX_PLAYER_ID_LENGTH = 64;
export const MAX_AUDIT_PAGE = 1000;
const AUDIT_PAGE_RULE = `must be an integer from 1 to ${MAX_AUDIT_PAGE}`;


const playerIdOption = {
  name: 'player_id',
  required: true,
  min_length: 1,
  max_length: MAX_PLAYER_ID_LENGTH,
} as const;

const winsOption = { name: 'wins', min_value: MIN_THRESHOLD_WINS, max_value: MAX_THRESHOLD_WINS } as const;

export class LinkOptions {
  @StringOption({ ...playerIdOption, description: 'Your OpenFront player id (the public id on your profile)' })
  playerId: string;
}

export class MemberOptions {
  @UserOption({ name: 'user', description: 'Another member (default: you)', required: false })
  user: User | null;
}

export class SyncOptions {
  @UserOption({ name: 'user', description: 'Sync only this member (default: every linked member)', required: false })
  user: User | null;
}

export class LinkOverrideOptions {
  @UserOption({ name: 'user', description: 'The member to link', required: true })
  user: User;

  @StringOption({ ...playerIdOption, description: "The member's OpenFront player id" })
  playerId: string;
}

export class CountingModeOptions {
  @StringOption({
    name: 'mode',
    description: 'How wins are counted',
    required: true,
    choices: COUNTING_MODES.map((mode) => ({ name: `${mode}: ${COUNTING_MODE_SUMMARIES[mode]}`, value: mode })),
  })
  mode: string;
}

export class RoleThresholdOptions {
  @IntegerOption({ ...winsOption, description: 'Members with at least this many wins get the role', required: true })
  wins: number;

  @RoleOption({ name: 'role', description: 'The role for this threshold', required: true })
  role: Role | APIRole;
}

export class RemoveRoleThresholdOptions {
  @IntegerOption({ ...winsOption, description: 'The threshold to remove, by its wins', required: false })
  wins: number | null;

  @RoleOption({ name: 'role', description: 'The threshold to remove, by its role', required: false })
  role: Role | APIRole | null;
}

export class ClanTagOptions {
  @StringOption({ name: 'tag', description: 'A clan tag: 2-5 letters or digits, e.g. ABC', required: true, min_length: 2, max_length: 5 })
  tag: string;
}

export class AdminRoleOptions {
  @RoleOption({ name: 'role', description: "Members with this role may use Herald's admin commands", required: true })
  role: Role | APIRole;
}

export class GuildRemoveOptions {
  @BooleanOption({ name: 'confirm', description: "True to delete all of this server's Herald data", required: true })
  confirm: boolean;
}

export class AuditOptions {
  @IntegerOption({
    name: 'page',
    description: 'Page of 10 entries, newest first (default 1)',
    required: false,
    min_value: 1,
    max_value: MAX_AUDIT_PAGE,
  })
  page: number | null;
}

/** The rule each option value must follow; each returns the broken rule, or nothing. */
export const optionRules = {
  playerId: (value: unknown): FieldError[] => (isPlayerId(value) ? [] : [ruleError('player_id', PLAYER_ID_RULE)]),
  clanTag: (value: unknown): FieldError[] => (normalizeClanTag(value) !== null ? [] : [ruleError('tag', CLAN_TAG_RULE)]),
  wins: (value: unknown): FieldError[] => (isThresholdWins(value) ? [] : [ruleError('wins', THRESHOLD_WINS_RULE)]),
  countingMode: (value: unknown): FieldError[] => (isCountingMode(value) ? [] : [ruleError('mode', COUNTING_MODE_RULE)]),
  auditPage: (value: number): FieldError[] =>
    Number.isInteger(value) && value >= 1 && value <= MAX_AUDIT_PAGE ? [] : [ruleError('page', AUDIT_PAGE_RULE)],
  user: (user: { id: string }): FieldError[] => (isSnowflake(user.id) ? [] : [ruleError('user', SNOWFLAKE_RULE)]),
  role: (role: { id: string }): FieldError[] => (isSnowflake(role.id) ? [] : [ruleError('role', SNOWFLAKE_RULE)]),
  /** A role Herald can hand out: Discord refuses to give @everyone or a role an integration manages. */
  grantableRole: (role: { id: string; managed?: boolean }, guildId: string): FieldError[] => {
    if (role.id === guildId || role.managed) {
      return [{ field: 'role', messages: ['role must be a role Herald can give: not @everyone, not a bot or integration role'] }];
    }
    return optionRules.role(role);
  },
  /** Every member holds @everyone: as an admin role it would make everyone a Herald admin. */
  adminRole: (role: { id: string }, guildId: string): FieldError[] => {
    if (role.id === guildId) return [{ field: 'role', messages: ['role must not be @everyone: every member would be a Herald admin'] }];
    return optionRules.role(role);
  },
};

/** Refuses the command, naming every option that broke its rule. */
export function requireValidOptions(...results: FieldError[][]): void {
  rejectIfAny(results.flat());
}
