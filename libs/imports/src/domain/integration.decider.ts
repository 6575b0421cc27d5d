import { type Decider, HeraldError, NotFound, type SealedSecret } from '@herald/core';
import type {
  DailyMetricsImported,
  IntegrationConnected,
  IntegrationEvent,
  IntegrationReconnectNeeded,
  ReconnectReason,
  TokenRefreshStarted,
  TokensRefreshed,
} from './events';
import { changedValues, type KnownValues, rememberValues } from './metric-values';
import type { DailyRecord } from './plugin';

/** The sealed tokens in force, named by the connection or refresh that produced them. */
export interface StoredTokens {
  version: string;
  credentials: SealedSecret;
  expiresAt: string;
  tokenType: string;
  scopes: string[];
}

export interface RefreshClaim {
  refreshId: string;
  basedOn: string;
  until: string;
}

export interface IntegrationState {
  pluginId: string | null;
  connected: boolean;
  tokens: StoredTokens | null;
  timeZone: string | null;
  enabled: boolean;
  reconnect: { reason: ReconnectReason } | null;
  refreshClaim: RefreshClaim | null;
  known: KnownValues;
}

export type IntegrationCommand =
  | { type: 'Connect'; data: IntegrationConnected['data'] }
  | { type: 'StartTokenRefresh'; refreshId: string; basedOn: string; now: string; until: string }
  | { type: 'RecordRefreshedTokens'; data: TokensRefreshed['data'] }
  | { type: 'RecordRefreshFailure'; refreshId: string; reason: string }
  | { type: 'RequireReconnect'; reason: ReconnectReason; basedOn: string }
  | { type: 'Disconnect' }
  | { type: 'SetEnabled'; enabled: boolean }
  | {
      type: 'RecordImport';
      pluginId: string;
      offeredFields: readonly string[];
      startDate: string;
      endDate: string;
      records: readonly DailyRecord[];
    };

/** The integration is not connected (never, or no longer). */
export class IntegrationNotConnected extends NotFound {
  constructor(pluginId: string) {
    super(`The ${pluginId} integration is not connected.`, { code: 'INTEGRATION.NOT_CONNECTED' });
  }
}

/** The service refused the tokens for good; the user must connect again. */
export class ReconnectRequired extends HeraldError {
  constructor(pluginId: string) {
    super({
      code: 'INTEGRATION.RECONNECT_NEEDED',
      status: 409,
      title: 'Reconnect needed',
      detail: `The ${pluginId} connection was refused by the service; connect it again.`,
    });
  }
}

/** Another sync holds the refresh lock and has not released it yet. */
export class TokenRefreshInProgress extends Error {
  constructor(readonly claim: RefreshClaim) {
    super(`a token refresh is already in progress until ${claim.until}`);
    this.name = 'TokenRefreshInProgress';
  }
}

export const integrationDecider: Decider<IntegrationCommand, IntegrationEvent, IntegrationState> = {
  initialState: () => ({
    pluginId: null,
    connected: false,
    tokens: null,
    timeZone: null,
    enabled: false,
    reconnect: null,
    refreshClaim: null,
    known: {},
  }),

  decide(command, state) {
    if (command.type === 'Connect') return [{ type: 'IntegrationConnected', data: command.data }];
    const pluginId = state.pluginId ?? 'this';
    switch (command.type) {
      case 'StartTokenRefresh': {
        const tokens = connectedTokens(state, pluginId);
        if (tokens.version !== command.basedOn) return [];
        const claim = state.refreshClaim;
        if (claim !== null && claim.basedOn === tokens.version && claim.until > command.now) throw new TokenRefreshInProgress(claim);
        const started: TokenRefreshStarted = {
          type: 'TokenRefreshStarted',
          data: { refreshId: command.refreshId, basedOn: command.basedOn, until: command.until },
        };
        return [started];
      }
      case 'RecordRefreshedTokens':
        // A reconnection or a disconnection since the claim makes these tokens moot.
        if (!state.connected || state.refreshClaim?.refreshId !== command.data.refreshId) return [];
        return [{ type: 'TokensRefreshed', data: command.data }];
      case 'RecordRefreshFailure':
        if (state.refreshClaim?.refreshId !== command.refreshId) return [];
        return [{ type: 'TokenRefreshFailed', data: { refreshId: command.refreshId, reason: command.reason } }];
      case 'RequireReconnect': {
        if (!state.connected || state.reconnect !== null || state.tokens?.version !== command.basedOn) return [];
        const needed: IntegrationReconnectNeeded = {
          type: 'IntegrationReconnectNeeded',
          data: { reason: command.reason, basedOn: command.basedOn },
        };
        return [needed];
      }
      case 'Disconnect':
        if (!state.connected) throw new IntegrationNotConnected(pluginId);
        return [{ type: 'IntegrationDisconnected', data: {} }];
      case 'SetEnabled':
        if (!state.connected) throw new IntegrationNotConnected(pluginId);
        if (state.enabled === command.enabled) return [];
        return [{ type: command.enabled ? 'IntegrationEnabled' : 'IntegrationDisabled', data: {} }];
      case 'RecordImport': {
        if (!state.connected) throw new IntegrationNotConnected(pluginId);
        const days = changedValues(command.pluginId, command.offeredFields, command, command.records, state.known);
        if (days.length === 0) return [];
        const imported: DailyMetricsImported = {
          type: 'DailyMetricsImported',
          data: { pluginId: command.pluginId, startDate: command.startDate, endDate: command.endDate, days },
        };
        return [imported];
      }
      default: {
        const unknown: never = command;
        throw new Error(`unknown integration command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'IntegrationConnected': {
        const { connectionId, credentials, expiresAt, tokenType, scopes, timeZone, pluginId } = event.data;
        return {
          ...state,
          pluginId,
          connected: true,
          tokens: { version: connectionId, credentials, expiresAt, tokenType, scopes },
          timeZone,
          enabled: true,
          reconnect: null,
          refreshClaim: null,
        };
      }
      case 'TokenRefreshStarted':
        return { ...state, refreshClaim: { ...event.data } };
      case 'TokensRefreshed': {
        const { refreshId, credentials, expiresAt, tokenType, scopes } = event.data;
        return { ...state, tokens: { version: refreshId, credentials, expiresAt, tokenType, scopes }, refreshClaim: null };
      }
      case 'TokenRefreshFailed':
        return state.refreshClaim?.refreshId === event.data.refreshId ? { ...state, refreshClaim: null } : state;
      case 'IntegrationReconnectNeeded':
        return { ...state, reconnect: { reason: event.data.reason }, refreshClaim: null };
      case 'IntegrationDisconnected':
        return { ...state, connected: false, tokens: null, reconnect: null, refreshClaim: null };
      case 'IntegrationEnabled':
        return { ...state, enabled: true };
      case 'IntegrationDisabled':
        return { ...state, enabled: false };
      case 'DailyMetricsImported':
        return { ...state, known: rememberValues(state.known, event.data.days) };
      default:
        // Events of other types (a later schema) leave the state as it is.
        return state;
    }
  },
};

function connectedTokens(state: IntegrationState, pluginId: string): StoredTokens {
  if (!state.connected || state.tokens === null) throw new IntegrationNotConnected(pluginId);
  if (state.reconnect !== null) throw new ReconnectRequired(pluginId);
  return state.tokens;
}
