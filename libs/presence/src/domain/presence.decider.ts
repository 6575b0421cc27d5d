import { type Decider, InvalidInput } from '@herald/core';
import type { PresenceEvent } from './events';
import {
  DEFAULT_CHOICE,
  normalizeText,
  OFFLINE,
  presenceInputErrors,
  type PresenceStatus,
  type PresenceTuple,
  sameTuple,
} from './presence';
import { DEFAULT_PRIVACY, type PresencePrivacy, type PresenceSnapshot } from './privacy';

//////// Commands ////////

/** The user sets their status, message and DAW (a missing message or DAW clears it). */
export interface SetPresence {
  type: 'SetPresence';
  status: PresenceStatus;
  message: string | null;
  daw: string | null;
  /** ISO-8601: when the user made the change; orders manual changes. */
  requestedAt: string;
  /** ISO-8601: when Herald received it. */
  receivedAt: string;
}

/** Activity came from a user who may be offline: a socket opened or a heartbeat came. */
export interface ResumePresence {
  type: 'ResumePresence';
  at: string;
}

/** Nothing holds the user online any more: their last socket closed (and the grace passed) or the heartbeat lease ran out. */
export interface EndPresence {
  type: 'EndPresence';
  reason: 'disconnect' | 'timeout';
  /** The last activity the liveness check saw, ISO-8601 (null: none known). */
  lastActiveAt: string | null;
  /** When the check found nothing holding the user, ISO-8601. */
  evaluatedAt: string;
}

/** Absent fields keep their setting. */
export interface ChangePresencePrivacy {
  type: 'ChangePresencePrivacy';
  showActivityStatus?: boolean;
  showLastActive?: boolean;
}

/** What GetStream answered when told the user's visibility. */
export interface RecordPresenceMirror {
  type: 'RecordPresenceMirror';
  invisible: boolean;
  failure?: { status: number | null; detail: string };
}

export type PresenceCommand = SetPresence | ResumePresence | EndPresence | ChangePresencePrivacy | RecordPresenceMirror;

//////// State ////////

export interface PresenceState extends PresenceSnapshot {
  /** What the user chose last: shown whenever something holds them online. */
  choice: PresenceTuple;
  /** `requestedAt` of the manual change that made `choice`; an older one is stale. */
  choiceRequestedAt: string | null;
  /** What GetStream was last told, null before the first mirror. */
  mirroredInvisible: boolean | null;
}

export function initialPresenceState(): PresenceState {
  return {
    ...OFFLINE,
    lastActiveAt: null,
    privacy: DEFAULT_PRIVACY,
    choice: DEFAULT_CHOICE,
    choiceRequestedAt: null,
    mirroredInvisible: null,
  };
}

/** A client clock this far ahead of Herald's is still believed; further ahead, the change is refused. */
export const MAX_CLIENT_CLOCK_AHEAD_MS = 60_000;

//////// Decide ////////

function decide(command: PresenceCommand, state: PresenceState): PresenceEvent[] {
  switch (command.type) {
    case 'SetPresence':
      return setPresence(command, state);
    case 'ResumePresence':
      return resumePresence(command, state);
    case 'EndPresence':
      return endPresence(command, state);
    case 'ChangePresencePrivacy':
      return changePrivacy(command, state);
    case 'RecordPresenceMirror':
      return recordMirror(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function setPresence(command: SetPresence, state: PresenceState): PresenceEvent[] {
  const choice: PresenceTuple = { status: command.status, message: normalizeText(command.message), daw: normalizeText(command.daw) };
  const errors = presenceInputErrors(choice);
  const requestedAt = Date.parse(command.requestedAt);
  if (Number.isNaN(requestedAt) || requestedAt > Date.parse(command.receivedAt) + MAX_CLIENT_CLOCK_AHEAD_MS) {
    errors.push({ field: 'changedAt', messages: [`changedAt must be an ISO-8601 time at most ${MAX_CLIENT_CLOCK_AHEAD_MS / 1000} s ahead of Herald's clock`] });
  }
  if (errors.length > 0) {
    throw new InvalidInput(`Invalid ${errors.length === 1 ? 'field' : 'fields'}: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  }
  // A late or retried request: a newer choice stands.
  if (state.choiceRequestedAt !== null && requestedAt < Date.parse(state.choiceRequestedAt)) return [];
  // Setting a presence is activity, so the choice shows at once.
  if (sameTuple(choice, state) && sameTuple(choice, state.choice)) return [];
  return [
    {
      type: 'PresenceChanged',
      data: {
        ...choice,
        previousStatus: state.status,
        reason: 'manual',
        lastActiveAt: new Date(command.receivedAt).toISOString(),
        requestedAt: new Date(requestedAt).toISOString(),
      },
    },
  ];
}

function resumePresence(command: ResumePresence, state: PresenceState): PresenceEvent[] {
  // A user who chose `offline` stays offline while active; one already showing a status has nothing to resume.
  if (state.status !== 'offline' || state.choice.status === 'offline') return [];
  return [
    {
      type: 'PresenceChanged',
      data: { ...state.choice, previousStatus: state.status, reason: 'connect', lastActiveAt: new Date(command.at).toISOString() },
    },
  ];
}

function endPresence(command: EndPresence, state: PresenceState): PresenceEvent[] {
  if (state.status === 'offline') return [];
  // A change recorded since the check means the user was active after it: the check is out of date.
  if (state.lastActiveAt !== null && Date.parse(state.lastActiveAt) >= Date.parse(command.evaluatedAt)) return [];
  return [
    {
      type: 'PresenceChanged',
      data: {
        ...OFFLINE,
        previousStatus: state.status,
        reason: command.reason,
        lastActiveAt: latest(command.lastActiveAt, state.lastActiveAt) ?? command.evaluatedAt,
      },
    },
  ];
}

function changePrivacy(command: ChangePresencePrivacy, state: PresenceState): PresenceEvent[] {
  const privacy: PresencePrivacy = {
    showActivityStatus: command.showActivityStatus ?? state.privacy.showActivityStatus,
    showLastActive: command.showLastActive ?? state.privacy.showLastActive,
  };
  const unchanged =
    privacy.showActivityStatus === state.privacy.showActivityStatus && privacy.showLastActive === state.privacy.showLastActive;
  return unchanged ? [] : [{ type: 'PresencePrivacyChanged', data: privacy }];
}

function recordMirror(command: RecordPresenceMirror, state: PresenceState): PresenceEvent[] {
  if (command.failure) {
    return [{ type: 'PresenceMirrorFailed', data: { invisible: command.invisible, ...command.failure } }];
  }
  return state.mirroredInvisible === command.invisible ? [] : [{ type: 'PresenceMirrored', data: { invisible: command.invisible } }];
}

//////// Evolve ////////

function evolve(state: PresenceState, event: PresenceEvent): PresenceState {
  switch (event.type) {
    case 'PresenceChanged': {
      const { status, message, daw, reason, lastActiveAt, requestedAt } = event.data;
      const shown = { status, message, daw };
      return {
        ...state,
        ...shown,
        lastActiveAt: latest(lastActiveAt, state.lastActiveAt),
        ...(reason === 'manual' ? { choice: shown, choiceRequestedAt: requestedAt ?? lastActiveAt } : {}),
      };
    }
    case 'PresencePrivacyChanged':
      return { ...state, privacy: { showActivityStatus: event.data.showActivityStatus, showLastActive: event.data.showLastActive } };
    case 'PresenceMirrored':
      return { ...state, mirroredInvisible: event.data.invisible };
    default:
      return state;
  }
}

/** The later of two ISO-8601 times (null when both are). */
export function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** A user's presence (stream `presence-<userId>`). */
export const presenceDecider: Decider<PresenceCommand, PresenceEvent, PresenceState> = {
  decide,
  evolve,
  initialState: initialPresenceState,
};
