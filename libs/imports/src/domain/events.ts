import type { DomainEvent, SealedSecret } from '@herald/core';
import type { FieldValue } from './plugin';

/*
 * Events of the `integration-<userId>_<pluginId>` streams. Tokens are sealed with the
 * integration's own key (subject: the stream name), so disconnecting shreds them everywhere.
 */

/** The user connected (or reconnected) the service: `credentials` seals `{ accessToken, refreshToken }`. */
export type IntegrationConnected = DomainEvent<
  'IntegrationConnected',
  {
    pluginId: string;
    /** Names this connection's tokens until they are refreshed. */
    connectionId: string;
    credentials: SealedSecret;
    expiresAt: string;
    tokenType: string;
    /** The scopes the user granted, which may be fewer than asked for. */
    scopes: string[];
    /** The user's IANA time zone as the service knows it; null: unknown (UTC is used). */
    timeZone: string | null;
  }
>;

/**
 * A process is about to spend the refresh token. Appended with the expected revision, it is the
 * lock that keeps two syncs (in one process or two) from refreshing the same token twice.
 */
export type TokenRefreshStarted = DomainEvent<
  'TokenRefreshStarted',
  {
    refreshId: string;
    /** The tokens (connection or refresh id) being replaced. */
    basedOn: string;
    /** The lock lapses then, should its holder die mid-refresh. */
    until: string;
  }
>;

export type TokensRefreshed = DomainEvent<
  'TokensRefreshed',
  { refreshId: string; credentials: SealedSecret; expiresAt: string; tokenType: string; scopes: string[] }
>;

/** A refresh failed without spending the token for good (an outage): the lock is released at once. */
export type TokenRefreshFailed = DomainEvent<'TokenRefreshFailed', { refreshId: string; reason: string }>;

/**
 * The service refused the tokens for good (`invalid_grant`, or credentials still refused after a
 * refresh): syncs stop until the user connects again.
 */
export type IntegrationReconnectNeeded = DomainEvent<
  'IntegrationReconnectNeeded',
  { reason: ReconnectReason; basedOn: string }
>;

export type ReconnectReason = 'refresh_token_rejected' | 'credentials_rejected';

/** The user disconnected: the integration's key is deleted with it, so its sealed tokens are unreadable. */
export type IntegrationDisconnected = DomainEvent<'IntegrationDisconnected', Record<string, never>>;

/** Scheduled syncs run again. */
export type IntegrationEnabled = DomainEvent<'IntegrationEnabled', Record<string, never>>;

/** Scheduled syncs pause; the connection and its tokens stay. */
export type IntegrationDisabled = DomainEvent<'IntegrationDisabled', Record<string, never>>;

/** Values of one day, by metric key (`fitbit.steps`). */
export interface DayValues {
  date: string;
  values: Record<string, FieldValue>;
}

/**
 * New or changed daily values from a sync of `startDate`..`endDate`. Only what differs from the
 * values already imported is recorded, so a re-import records nothing; a value the service did
 * not have is never recorded, so it cannot erase one.
 */
export type DailyMetricsImported = DomainEvent<
  'DailyMetricsImported',
  { pluginId: string; startDate: string; endDate: string; days: DayValues[] }
>;

export type IntegrationEvent =
  | IntegrationConnected
  | TokenRefreshStarted
  | TokensRefreshed
  | TokenRefreshFailed
  | IntegrationReconnectNeeded
  | IntegrationDisconnected
  | IntegrationEnabled
  | IntegrationDisabled
  | DailyMetricsImported;

/**
 * An operator changed a plugin's settings (in the `config-global` stream). `values` holds every
 * setting set over the API after the change, each sealed under `PLUGIN_CONFIG_SUBJECT`; a setting
 * absent here falls back to the environment.
 */
export type PluginConfigured = DomainEvent<
  'PluginConfigured',
  { pluginId: string; values: Record<string, SealedSecret>; changed: string[] }
>;

/** The secret-box subject of plugin settings: global, not any user's. */
export const PLUGIN_CONFIG_SUBJECT = 'plugin-config';
