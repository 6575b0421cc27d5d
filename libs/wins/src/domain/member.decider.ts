import { type Decider, type FieldError, NotFound } from '@herald/core';
import type { LinkedBy, MemberEvent, MemberRolesReconciled, MemberSyncFailureReason } from './events';
import { isoTime, rejectIfAny, ruleError } from './field-errors';
import { type CountingMode, isPlayerId, isSnowflake, PLAYER_ID_RULE, SNOWFLAKE_RULE } from './ids';

//////// Commands ////////

export interface LinkPlayer {
  type: 'LinkPlayer';
  guildId: string;
  userId: string;
  playerId: string;
  /** ISO-8601: when the link was made; `sessions_since_link` counts from here. */
  linkedAt: string;
  /** The player's latest in-game name, when known. */
  username: string | null;
  linkedBy: LinkedBy;
}

export interface UnlinkPlayer {
  type: 'UnlinkPlayer';
  guildId: string;
  userId: string;
}

/** A sync's count for the player it read; ignored when the member has since linked another player. */
export interface RecordWins {
  type: 'RecordWins';
  guildId: string;
  userId: string;
  playerId: string;
  wins: number;
  countingMode: CountingMode;
  username: string | null;
}

export interface RecordSyncFailure {
  type: 'RecordSyncFailure';
  guildId: string;
  userId: string;
  playerId: string;
  reason: MemberSyncFailureReason;
  detail: string;
}

export type RecordRolesReconciled = { type: 'RecordRolesReconciled' } & MemberRolesReconciled['data'];

export type MemberCommand = LinkPlayer | UnlinkPlayer | RecordWins | RecordSyncFailure | RecordRolesReconciled;

//////// State ////////

export interface MemberLink {
  playerId: string;
  linkedAt: string;
  username: string | null;
}

export interface MemberState {
  link: MemberLink | null;
  /** Wins counted for the linked player; null before the first count or after a new link. */
  wins: number | null;
  /** The mode `wins` was counted in. */
  countingMode: CountingMode | null;
  /** Why the last sync of the linked player failed; cleared by a later success. */
  lastFailure: MemberSyncFailureReason | null;
  /** The last role reconcile, whatever player was linked then: the roles it set are still held. */
  reconciled: { wantedRoleId: string | null; thresholdRoleIds: string[]; succeeded: boolean } | null;
}

function initialState(): MemberState {
  return { link: null, wins: null, countingMode: null, lastFailure: null, reconciled: null };
}

/**
 * Whether Discord must be called to set the member's roles: never reconciled, the last reconcile
 * left failures, the wanted role changed, or the set of roles Herald manages changed.
 */
export function needsRoleReconcile(
  state: MemberState,
  wantedRoleId: string | null,
  thresholdRoleIds: readonly string[],
): boolean {
  const last = state.reconciled;
  if (last === null || !last.succeeded || last.wantedRoleId !== wantedRoleId) return true;
  return !sameSet(last.thresholdRoleIds, thresholdRoleIds);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

//////// Decide ////////

function decide(command: MemberCommand, state: MemberState): MemberEvent[] {
  switch (command.type) {
    case 'LinkPlayer':
      return linkPlayer(command, state);
    case 'UnlinkPlayer':
      return unlinkPlayer(command, state);
    case 'RecordWins':
      return recordWins(command, state);
    case 'RecordSyncFailure':
      return recordSyncFailure(command, state);
    case 'RecordRolesReconciled': {
      const { type: _type, ...data } = command;
      return [{ type: 'MemberRolesReconciled', data }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function linkPlayer(command: LinkPlayer, state: MemberState): MemberEvent[] {
  const errors: FieldError[] = [];
  if (!isSnowflake(command.userId)) errors.push(ruleError('userId', SNOWFLAKE_RULE));
  if (!isPlayerId(command.playerId)) errors.push(ruleError('playerId', PLAYER_ID_RULE));
  rejectIfAny(errors);
  if (state.link?.playerId === command.playerId) return [];
  const { guildId, userId, playerId, username, linkedBy } = command;
  return [
    {
      type: 'PlayerLinked',
      data: { guildId, userId, playerId, linkedAt: isoTime(command.linkedAt, 'linkedAt'), username, linkedBy },
    },
  ];
}

function unlinkPlayer(command: UnlinkPlayer, state: MemberState): MemberEvent[] {
  if (state.link === null) {
    throw new NotFound(`User ${command.userId} has no linked OpenFront player in this guild.`, {
      code: 'LINK.NOT_FOUND',
    });
  }
  return [
    { type: 'PlayerUnlinked', data: { guildId: command.guildId, userId: command.userId, playerId: state.link.playerId } },
  ];
}

function recordWins(command: RecordWins, state: MemberState): MemberEvent[] {
  if (!Number.isSafeInteger(command.wins) || command.wins < 0) {
    throw new RangeError(`wins must be a non-negative integer, got ${command.wins}`);
  }
  if (state.link?.playerId !== command.playerId) return [];
  const unchanged =
    state.wins === command.wins && state.countingMode === command.countingMode && state.lastFailure === null;
  if (unchanged) return [];
  const { guildId, userId, playerId, wins, countingMode, username } = command;
  return [
    {
      type: 'WinsSynced',
      data: { guildId, userId, playerId, wins, previousWins: state.wins, countingMode, username },
    },
  ];
}

function recordSyncFailure(command: RecordSyncFailure, state: MemberState): MemberEvent[] {
  if (state.link?.playerId !== command.playerId || state.lastFailure === command.reason) return [];
  const { guildId, userId, playerId, reason, detail } = command;
  return [{ type: 'MemberSyncFailed', data: { guildId, userId, playerId, reason, detail } }];
}

//////// Evolve ////////

function evolve(state: MemberState, event: MemberEvent): MemberState {
  switch (event.type) {
    case 'PlayerLinked': {
      const { playerId, linkedAt, username } = event.data;
      return { ...state, link: { playerId, linkedAt, username }, wins: null, countingMode: null, lastFailure: null };
    }
    case 'PlayerUnlinked':
      return { ...state, link: null, wins: null, countingMode: null, lastFailure: null };
    case 'WinsSynced':
      return {
        ...state,
        // A sync that read no name keeps the one known.
        link: state.link && { ...state.link, username: event.data.username ?? state.link.username },
        wins: event.data.wins,
        countingMode: event.data.countingMode,
        lastFailure: null,
      };
    case 'MemberSyncFailed':
      return { ...state, lastFailure: event.data.reason };
    case 'MemberRolesReconciled':
      return {
        ...state,
        reconciled: {
          wantedRoleId: event.data.wantedRoleId,
          thresholdRoleIds: [...event.data.thresholdRoleIds],
          succeeded: event.data.failures.length === 0,
        },
      };
    default:
      // An event type this version does not know leaves the state as it is.
      event satisfies never;
      return state;
  }
}

/** A member's link, count and role bookkeeping in one guild (stream `guildmember-<guildId>_<userId>`). */
export const memberDecider: Decider<MemberCommand, MemberEvent, MemberState> = { decide, evolve, initialState };
