/**
 * The data-import plugin contract. A plugin is one object that knows one upstream service (its
 * URLs, OAuth details, payloads and errors); the import pipeline (connection, scheduling, token
 * refresh, quota, storage) is generic and knows plugins only through this interface, so a
 * successor service (e.g. the Google Health API replacing the legacy Fitbit Web API) is a new
 * plugin, not a change to the pipeline.
 */

/** How a field's values read: `duration` and `time` are zero-padded `HH:MM` strings. */
export type FieldType = 'number' | 'duration' | 'time' | 'text' | 'boolean';

/** A daily value a plugin can import; stored under the metric key `{pluginId}.{fieldId}`. */
export interface PluginField {
  id: string;
  name: string;
  type: FieldType;
  unit?: string;
  description: string;
}

export type FieldValue = string | number | boolean;

/**
 * One day's values from the upstream. A field the upstream had no value for is absent: the
 * pipeline never writes an empty value over a stored one.
 */
export interface DailyRecord {
  /** `YYYY-MM-DD`, the user's calendar day. */
  date: string;
  fields: Partial<Record<string, FieldValue>>;
}

/** A setting the operator gives a plugin (client id, client secret), over the API or in the environment. */
export interface AdminConfigField {
  id: string;
  label: string;
  description: string;
  /** Shown only as set or unset, and sealed in the log. */
  secret: boolean;
  required: boolean;
  /** The environment variable used when the operator set no value over the API. */
  env: string;
}

/** A plugin's resolved settings: the operator's values (sealed in the log, else the environment) and Herald's callback. */
export interface PluginConfig {
  values: Readonly<Partial<Record<string, string>>>;
  /** Where the provider sends the browser back: `<HERALD_PUBLIC_URL>/api/v1/plugins/<id>/callback`. */
  callbackUrl: string;
}

/** What an operator needs to register Herald with the provider. */
export interface SetupInfo {
  callbackUrl: string;
  steps: string[];
}

/** The authorization-code flow (always with PKCE S256) as the provider runs it. */
export interface OAuthConfig {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  /** Sent as HTTP Basic authentication on token requests when present (a "server" app). */
  clientSecret?: string;
  scopes: string[];
  redirectUri: string;
  /** Provider-specific extra query parameters of the authorize redirect. */
  authorizeParams?: Record<string, string>;
}

/** A user's tokens, in plain text only in memory, sealed wherever they are stored. */
export interface PluginCredentials {
  accessToken: string;
  refreshToken: string;
  /** ISO time after which the access token is refused. */
  expiresAt: string;
  tokenType: string;
  scopes: string[];
}

/** What a plugin learns when it checks fresh credentials. */
export interface CredentialCheck {
  /** The user's IANA time zone, which decides their "today"; absent: UTC. */
  timeZone?: string;
}

/** The upstream's per-user request budget, as its last answer told it. */
export interface UpstreamQuota {
  limit: number;
  remaining: number;
  /** ISO time the budget refills. */
  resetAt: string;
}

/** Lets a plugin report what it learns while it works, without returning it. */
export interface FetchObserver {
  quota(quota: UpstreamQuota): void;
}

export interface DataImportPlugin {
  /** Lower-case letters, digits and `-`: the first part of every metric key, and part of stream names. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** An emoji, shown next to the name on Discord. */
  readonly icon: string;

  getAdminConfigFields(): AdminConfigField[];
  getSetupInfo(config: PluginConfig): SetupInfo;
  /** Whether every required setting is there, so users can connect. */
  isConfigured(config: PluginConfig): boolean;
  getOAuthConfig(config: PluginConfig): OAuthConfig;
  getAvailableFields(): PluginField[];

  /** Checks credentials just obtained; throws `CredentialsRejected` when the upstream refuses them. */
  validateCredentials(credentials: PluginCredentials, observer?: FetchObserver): Promise<CredentialCheck>;
  /** New credentials from the refresh token (which is then used up); `RefreshTokenRejected` when it is dead. */
  refreshTokens(credentials: PluginCredentials, config: PluginConfig): Promise<PluginCredentials>;
  /**
   * The values of `fields` for every day from `startDate` to `endDate` (inclusive) that has any.
   * Throws `AccessTokenExpired` / `CredentialsRejected` for the pipeline to refresh,
   * `UpstreamRateLimited` when the budget is spent, and `IncompleteFetch` (carrying what was read)
   * when only some fields could be read.
   */
  fetchData(
    credentials: PluginCredentials,
    startDate: string,
    endDate: string,
    fields: string[],
    observer?: FetchObserver,
  ): Promise<DailyRecord[]>;
  /** Tells the provider to invalidate the tokens (best effort, on disconnect). */
  revokeTokens?(credentials: PluginCredentials, config: PluginConfig): Promise<void>;
}

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,31}$/;
const FIELD_ID = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** `{pluginId}.{fieldId}`, e.g. `fitbit.steps`. */
export function metricKey(pluginId: string, fieldId: string): string {
  return `${pluginId}.${fieldId}`;
}

export const METRIC_KEY = /^[a-z][a-z0-9-]{0,31}\.[A-Za-z][A-Za-z0-9]{0,63}$/;

/** Refuses a plugin whose id or fields could not name streams and metrics, at start-up rather than at first use. */
export function assertValidPlugin(plugin: DataImportPlugin): void {
  if (!PLUGIN_ID.test(plugin.id)) throw new Error(`plugin id ${JSON.stringify(plugin.id)} must be lower-case letters, digits or -`);
  const fieldIds = plugin.getAvailableFields().map((field) => field.id);
  const bad = fieldIds.find((id) => !FIELD_ID.test(id));
  if (bad !== undefined) throw new Error(`plugin ${plugin.id}: field id ${JSON.stringify(bad)} must be letters and digits`);
  if (new Set(fieldIds).size !== fieldIds.length) throw new Error(`plugin ${plugin.id} offers a field twice`);
}
