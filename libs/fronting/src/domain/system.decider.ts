import { type Decider, type FieldError, InvalidInput, isSealedSecret, type SealedSecret } from '@herald/core';
import type {
  FrontingEvent,
  FrontingService,
  FrontingSetting,
  ObservedFronter,
  StoredToken,
  SwitchPostFailureReason,
} from './events';
import { sameFronters } from './fronter-set';

//////// Commands ////////

/** Absent: keep the setting; a token set to null: remove it. Tokens arrive sealed. */
export interface ChangeFrontingSettings {
  type: 'ChangeFrontingSettings';
  simplyPluralToken?: StoredToken | null;
  pluralKitToken?: StoredToken | null;
  enableToPluralKit?: boolean;
}

export interface ObserveFronters {
  type: 'ObserveFronters';
  fronters: ObservedFronter[];
}

export interface RecordSwitchPosted {
  type: 'RecordSwitchPosted';
  switchId: string;
  pluralKitIds: string[];
  timestamp: string;
  observedPosition?: number;
}

export interface RecordAlreadyInSync {
  type: 'RecordAlreadyInSync';
  pluralKitIds: string[];
  observedPosition?: number;
}

export interface RecordSwitchPostFailed {
  type: 'RecordSwitchPostFailed';
  reason: SwitchPostFailureReason;
  detail: string;
  staleMemberId?: string;
  pluralKitIds: string[];
  observedPosition?: number;
}

export interface RecordTokenRejected {
  type: 'RecordTokenRejected';
  service: FrontingService;
  /** The sealed token the request was made with: a rejection of a token since replaced is old news. */
  token: SealedSecret;
}

export type SystemCommand =
  | ChangeFrontingSettings
  | ObserveFronters
  | RecordSwitchPosted
  | RecordAlreadyInSync
  | RecordSwitchPostFailed
  | RecordTokenRejected;

//////// State ////////

/** The PluralKit updater as `/api/v1/me/updaters` shows it. */
export type UpdaterStatus = 'disabled' | 'starting' | 'running' | 'error';

export interface SystemState {
  simplyPluralToken: StoredToken | null;
  pluralKitToken: StoredToken | null;
  enableToPluralKit: boolean;
  /** Fronters last recorded since the updater (re)started; null: none yet, so the next read is recorded. */
  lastObserved: ObservedFronter[] | null;
  /** Services whose current token was rejected. */
  rejectedTokens: readonly FrontingService[];
  /** How the last attempt to bring PluralKit in line ended, since the updater (re)started. */
  lastOutcome: 'succeeded' | 'failed' | null;
  lastFailureDetail: string | null;
  lastSwitchId: string | null;
  /** PluralKit's time of the last switch Herald posted. */
  lastSwitchAt: string | null;
  status: UpdaterStatus;
  lastOperationError: string | null;
}

export const TOKEN_REJECTED_MESSAGES: Readonly<Record<FrontingService, string>> = {
  pluralkit: 'PluralKit rejected the token',
  simplyplural: 'SimplyPlural rejected the token',
};

const TOKEN_FIELDS = { simplyplural: 'simplyPluralToken', pluralkit: 'pluralKitToken' } as const;

//////// Decide ////////

function decide(command: SystemCommand, state: SystemState): FrontingEvent[] {
  switch (command.type) {
    case 'ChangeFrontingSettings':
      return changeSettings(command, state);
    case 'ObserveFronters':
      return observeFronters(command, state);
    case 'RecordSwitchPosted':
      return recordSwitchPosted(command, state);
    case 'RecordAlreadyInSync':
      return recordAlreadyInSync(command, state);
    case 'RecordSwitchPostFailed':
      return recordSwitchPostFailed(command);
    case 'RecordTokenRejected':
      return recordTokenRejected(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function changeSettings(command: ChangeFrontingSettings, state: SystemState): FrontingEvent[] {
  for (const token of [command.simplyPluralToken, command.pluralKitToken]) {
    if (token && !isStoredToken(token)) {
      throw new Error('a fronting token must arrive sealed, with at most its last four characters');
    }
  }
  const next = {
    simplyPluralToken: command.simplyPluralToken === undefined ? state.simplyPluralToken : command.simplyPluralToken,
    pluralKitToken: command.pluralKitToken === undefined ? state.pluralKitToken : command.pluralKitToken,
    enableToPluralKit: command.enableToPluralKit ?? state.enableToPluralKit,
  };
  const changed: FrontingSetting[] = [];
  // A token given again counts as a change even if it is the same: the user re-entered it, which
  // is how a rejected token gets another try.
  if (command.simplyPluralToken || (command.simplyPluralToken === null && state.simplyPluralToken)) {
    changed.push('simplyPluralToken');
  }
  if (command.pluralKitToken || (command.pluralKitToken === null && state.pluralKitToken)) {
    changed.push('pluralKitToken');
  }
  if (next.enableToPluralKit !== state.enableToPluralKit) changed.push('enableToPluralKit');
  if (changed.length === 0) return [];

  const errors = settingsErrors(command, next);
  if (errors.length > 0) {
    throw new InvalidInput(`Invalid fields: ${errors.map((e) => e.field).join(', ')}.`, {
      code: 'FRONTING.SETTINGS_INVALID',
      errors,
    });
  }
  return [{ type: 'FrontingSettingsChanged', data: { ...next, changed } }];
}

function isStoredToken(token: StoredToken): boolean {
  const { sealed, lastFour } = token;
  return isSealedSecret(sealed) && typeof lastFour === 'string' && lastFour.length >= 1 && lastFour.length <= 4;
}

/** The updater needs both tokens while it is on. */
function settingsErrors(
  command: ChangeFrontingSettings,
  next: Pick<SystemState, 'simplyPluralToken' | 'pluralKitToken' | 'enableToPluralKit'>,
): FieldError[] {
  if (!next.enableToPluralKit || (next.simplyPluralToken && next.pluralKitToken)) return [];
  if (command.enableToPluralKit === true) {
    const missing = [next.simplyPluralToken ? null : 'simplyPluralToken', next.pluralKitToken ? null : 'pluralKitToken']
      .filter((field) => field !== null)
      .join(' and ');
    return [{ field: 'enableToPluralKit', messages: [`enableToPluralKit needs both tokens: set ${missing} first`] }];
  }
  return (['simplyPluralToken', 'pluralKitToken'] as const)
    .filter((field) => command[field] === null)
    .map((field) => ({
      field,
      messages: [`${field} cannot be removed while enableToPluralKit is on: disable it in the same request`],
    }));
}

function observeFronters(command: ObserveFronters, state: SystemState): FrontingEvent[] {
  // A read that lands after the user turned the updater off is not worth keeping.
  if (!state.enableToPluralKit) return [];
  // After a SimplyPlural rejection, a successful read is news even with the same fronters: the token works again.
  const unchanged =
    state.lastObserved !== null &&
    sameFronters(state.lastObserved, command.fronters) &&
    !state.rejectedTokens.includes('simplyplural');
  if (unchanged) return [];
  return [{ type: 'FrontersObserved', data: { fronters: command.fronters.map((fronter) => ({ ...fronter })) } }];
}

function recordSwitchPosted(command: RecordSwitchPosted, state: SystemState): FrontingEvent[] {
  if (command.switchId === state.lastSwitchId) return [];
  return [
    {
      type: 'SwitchPosted',
      data: {
        switchId: command.switchId,
        pluralKitIds: [...command.pluralKitIds],
        timestamp: command.timestamp,
        ...observedAt(command.observedPosition),
      },
    },
  ];
}

function recordAlreadyInSync(command: RecordAlreadyInSync, state: SystemState): FrontingEvent[] {
  // Recorded only when it changes what the user sees (a first success, or a recovery after a failure).
  if (state.lastOutcome === 'succeeded') return [];
  return [
    {
      type: 'PluralKitAlreadyInSync',
      data: { pluralKitIds: [...command.pluralKitIds], ...observedAt(command.observedPosition) },
    },
  ];
}

function recordSwitchPostFailed(command: RecordSwitchPostFailed): FrontingEvent[] {
  if ((command.reason === 'stale_member') !== (command.staleMemberId !== undefined)) {
    throw new Error('staleMemberId comes with, and only with, the reason stale_member');
  }
  return [
    {
      type: 'SwitchPostFailed',
      data: {
        reason: command.reason,
        detail: command.detail,
        ...(command.staleMemberId === undefined ? {} : { staleMemberId: command.staleMemberId }),
        pluralKitIds: [...command.pluralKitIds],
        ...observedAt(command.observedPosition),
      },
    },
  ];
}

function recordTokenRejected(command: RecordTokenRejected, state: SystemState): FrontingEvent[] {
  const current = state[TOKEN_FIELDS[command.service]];
  if (!current || !sameSealedSecret(current.sealed, command.token)) return [];
  if (state.rejectedTokens.includes(command.service)) return [];
  return [{ type: 'TokenRejected', data: { service: command.service } }];
}

function observedAt(position: number | undefined): { observedPosition?: number } {
  return position === undefined ? {} : { observedPosition: position };
}

/** The same sealing of a token: every sealing has its own random iv. */
export function sameSealedSecret(a: SealedSecret, b: SealedSecret): boolean {
  return a.keyId === b.keyId && a.iv === b.iv && a.tag === b.tag && a.ct === b.ct;
}

//////// Evolve ////////

function evolve(state: SystemState, event: FrontingEvent): SystemState {
  return withUpdaterStatus(apply(state, event));
}

function apply(state: SystemState, event: FrontingEvent): SystemState {
  switch (event.type) {
    case 'FrontingSettingsChanged': {
      const { changed } = event.data;
      const replaced = (Object.keys(TOKEN_FIELDS) as FrontingService[]).filter((service) =>
        changed.includes(TOKEN_FIELDS[service]),
      );
      return {
        ...state,
        simplyPluralToken: event.data.simplyPluralToken,
        pluralKitToken: event.data.pluralKitToken,
        enableToPluralKit: event.data.enableToPluralKit,
        rejectedTokens: state.rejectedTokens.filter((service) => !replaced.includes(service)),
        // The updater starts over: it reads SimplyPlural afresh and records what it finds.
        lastObserved: null,
        lastOutcome: null,
        lastFailureDetail: null,
      };
    }
    case 'FrontersObserved':
      return {
        ...state,
        lastObserved: event.data.fronters,
        rejectedTokens: state.rejectedTokens.filter((service) => service !== 'simplyplural'),
      };
    case 'SwitchPosted':
      return {
        ...state,
        lastSwitchId: event.data.switchId,
        lastSwitchAt: event.data.timestamp,
        lastOutcome: 'succeeded',
        lastFailureDetail: null,
      };
    case 'PluralKitAlreadyInSync':
      return { ...state, lastOutcome: 'succeeded', lastFailureDetail: null };
    case 'SwitchPostFailed':
      return { ...state, lastOutcome: 'failed', lastFailureDetail: event.data.detail };
    case 'TokenRejected':
      return state.rejectedTokens.includes(event.data.service)
        ? state
        : { ...state, rejectedTokens: [...state.rejectedTokens, event.data.service] };
    default:
      // The system stream holds only fronting events today; anything else leaves fronting as it is.
      return state;
  }
}

function withUpdaterStatus(state: SystemState): SystemState {
  if (!state.enableToPluralKit) return { ...state, status: 'disabled', lastOperationError: null };
  // PluralKit's rejection first: it is the one that stops the updater until the user acts.
  const rejections = (['pluralkit', 'simplyplural'] as const)
    .filter((service) => state.rejectedTokens.includes(service))
    .map((service) => TOKEN_REJECTED_MESSAGES[service]);
  if (rejections.length > 0) return { ...state, status: 'error', lastOperationError: rejections.join('; ') };
  if (state.lastOutcome === 'failed') return { ...state, status: 'error', lastOperationError: state.lastFailureDetail };
  return { ...state, status: state.lastOutcome === 'succeeded' ? 'running' : 'starting', lastOperationError: null };
}

export function initialSystemState(): SystemState {
  return {
    simplyPluralToken: null,
    pluralKitToken: null,
    enableToPluralKit: false,
    lastObserved: null,
    rejectedTokens: [],
    lastOutcome: null,
    lastFailureDetail: null,
    lastSwitchId: null,
    lastSwitchAt: null,
    status: 'disabled',
    lastOperationError: null,
  };
}

/** A system's fronting settings and PluralKit updater (stream `system-<userId>`). */
export const systemDecider: Decider<SystemCommand, FrontingEvent, SystemState> = {
  decide,
  evolve,
  initialState: initialSystemState,
};

//////// Views ////////

/** What `GET /api/v1/me/fronting` may show: whether each token is set and its last four characters, never more. */
export interface FrontingSettingsView {
  simplyPluralTokenSet: boolean;
  simplyPluralTokenLastFour: string | null;
  pluralKitTokenSet: boolean;
  pluralKitTokenLastFour: string | null;
  enableToPluralKit: boolean;
}

export function frontingSettingsView(state: SystemState): FrontingSettingsView {
  return {
    simplyPluralTokenSet: state.simplyPluralToken !== null,
    simplyPluralTokenLastFour: state.simplyPluralToken?.lastFour ?? null,
    pluralKitTokenSet: state.pluralKitToken !== null,
    pluralKitTokenLastFour: state.pluralKitToken?.lastFour ?? null,
    enableToPluralKit: state.enableToPluralKit,
  };
}

/** What `GET /api/v1/me/updaters` shows for PluralKit. */
export interface UpdaterView {
  status: UpdaterStatus;
  lastOperationError: string | null;
  lastSwitchAt: string | null;
}

export function pluralKitUpdaterView(state: SystemState): UpdaterView {
  return { status: state.status, lastOperationError: state.lastOperationError, lastSwitchAt: state.lastSwitchAt };
}
