import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { HeraldConfig } from './config';

/** Raised for a setting Herald cannot start with; the message names the setting, never its value. */
export class InvalidConfiguration extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidConfiguration';
  }
}

type Settings = Record<string, string | undefined>;

/** `herald.yml` keys are the environment names in lower camel case or as written (e.g. `port` or `PORT`). */
const YAML_KEYS: Record<string, string> = {
  dataDir: 'HERALD_DATA_DIR',
  eventStore: 'HERALD_EVENTSTORE',
  eventStoreUrl: 'EVENTSTORE_URL',
  readStore: 'HERALD_READSTORE',
  mongoUrl: 'MONGO_URL',
  mongoDatabasePrefix: 'HERALD_MONGO_DB_PREFIX',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  publicUrl: 'HERALD_PUBLIC_URL',
  discordDevGuildId: 'DISCORD_DEV_GUILD_ID',
  discordGateway: 'DISCORD_GATEWAY',
  maxBodyBytes: 'HERALD_MAX_BODY_BYTES',
  pollIntervalMs: 'HERALD_POLL_INTERVAL_MS',
  sqliteSynchronous: 'HERALD_SQLITE_SYNCHRONOUS',
  sqliteFsync: 'HERALD_SQLITE_FSYNC',
  openfrontRequestsPerSecond: 'OPENFRONT_REQUESTS_PER_SECOND',
  openfrontConcurrency: 'OPENFRONT_CONCURRENCY',
  openfrontRetryBaseDelayMs: 'OPENFRONT_RETRY_BASE_DELAY_MS',
  syncBackoffAfterFailures: 'SYNC_BACKOFF_AFTER_FAILURES',
  syncBackoffMinutes: 'SYNC_BACKOFF_MINUTES',
  simplyPluralDebounceMs: 'SIMPLYPLURAL_DEBOUNCE_MS',
  simplyPluralRefreshIntervalMs: 'SIMPLYPLURAL_REFRESH_INTERVAL_MS',
  simplyPluralPingIntervalMs: 'SIMPLYPLURAL_PING_INTERVAL_MS',
  simplyPluralRetryBaseDelayMs: 'SIMPLYPLURAL_RETRY_BASE_DELAY_MS',
  simplyPluralAuthFailurePauseMs: 'SIMPLYPLURAL_AUTH_FAILURE_PAUSE_MS',
  pluralKitCoalesceQuietMs: 'PLURALKIT_COALESCE_QUIET_MS',
  pluralKitCoalesceMaxDelayMs: 'PLURALKIT_COALESCE_MAX_DELAY_MS',
  pluralKitRetryBaseDelayMs: 'PLURALKIT_RETRY_BASE_DELAY_MS',
  pluralKitFailedPostRetryMs: 'PLURALKIT_FAILED_POST_RETRY_MS',
  importsSyncIntervalMs: 'IMPORTS_SYNC_INTERVAL_MS',
  importsSyncConcurrency: 'IMPORTS_SYNC_CONCURRENCY',
  presenceTimeoutMs: 'PRESENCE_TIMEOUT_MS',
  presenceDisconnectGraceMs: 'PRESENCE_DISCONNECT_GRACE_MS',
  presenceCheckIntervalMs: 'PRESENCE_CHECK_INTERVAL_MS',
  presenceLeaseFlushMs: 'PRESENCE_LEASE_FLUSH_MS',
  presenceSocketPingMs: 'PRESENCE_SOCKET_PING_MS',
  getstreamApiKey: 'GETSTREAM_API_KEY',
  webDir: 'HERALD_WEB_DIR',
  webSessionTtlHours: 'WEB_SESSION_TTL_HOURS',
  discordOAuthAuthorizeUrl: 'DISCORD_OAUTH_AUTHORIZE_URL',
  discordOAuthTokenUrl: 'DISCORD_OAUTH_TOKEN_URL',
};

/**
 * Resolves Herald's settings: `herald.yml` (from HERALD_CONFIG_FILE or the working directory, if
 * present) overridden by environment variables. Secrets (tokens, keys) are read from the
 * environment only, so they never sit in a committed file.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): HeraldConfig {
  const settings: Settings = { ...readYaml(env.HERALD_CONFIG_FILE ?? resolve(cwd, 'herald.yml')), ...definedOnly(env) };
  const eventStoreKind = oneOf(settings, 'HERALD_EVENTSTORE', ['sqlite', 'esdb'], 'sqlite');
  const readStoreKind = oneOf(settings, 'HERALD_READSTORE', ['sqlite', 'mongo'], 'sqlite');
  const config: HeraldConfig = {
    dataDir: resolve(cwd, settings.HERALD_DATA_DIR ?? './data'),
    eventStore:
      eventStoreKind === 'esdb'
        ? { kind: 'esdb', url: required(settings, 'EVENTSTORE_URL', 'HERALD_EVENTSTORE=esdb') }
        : {
            kind: 'sqlite',
            synchronous: oneOf(settings, 'HERALD_SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'], 'FULL'),
            // A server serves many clients at once: the fsync is kept off the event loop they share.
            fsync: oneOf(settings, 'HERALD_SQLITE_FSYNC', ['commit', 'thread-pool'], 'thread-pool'),
          },
    readStore:
      readStoreKind === 'mongo'
        ? {
            kind: 'mongo',
            url: required(settings, 'MONGO_URL', 'HERALD_READSTORE=mongo'),
            databasePrefix: settings.HERALD_MONGO_DB_PREFIX ?? 'herald',
          }
        : { kind: 'sqlite' },
    port: integer(settings, 'PORT', 3000, 0, 65535),
    logLevel: oneOf(settings, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    adminToken: settings.HERALD_ADMIN_TOKEN || undefined,
    publicUrl: url(settings, 'HERALD_PUBLIC_URL', 'http://localhost:3000'),
    discord: {
      token: settings.DISCORD_TOKEN || undefined,
      devGuildId: settings.DISCORD_DEV_GUILD_ID || undefined,
      gateway: (settings.DISCORD_GATEWAY ?? 'on').toLowerCase() !== 'off',
    },
    web: {
      dir: settings.HERALD_WEB_DIR === undefined ? defaultWebDir() : resolve(cwd, settings.HERALD_WEB_DIR),
      sessionTtlHours: integer(settings, 'WEB_SESSION_TTL_HOURS', 12, 1, 24 * 30),
      discordClientId: settings.DISCORD_CLIENT_ID || undefined,
      discordClientSecret: settings.DISCORD_CLIENT_SECRET || undefined,
      discordAuthorizeUrl: url(settings, 'DISCORD_OAUTH_AUTHORIZE_URL', 'https://discord.com/oauth2/authorize'),
      discordTokenUrl: url(settings, 'DISCORD_OAUTH_TOKEN_URL', 'https://discord.com/api/oauth2/token'),
    },
    upstreams: {
      openfront: url(settings, 'OPENFRONT_API_URL', 'https://api.openfront.io'),
      discord: url(settings, 'DISCORD_API_URL', 'https://discord.com/api'),
      simplyplural: url(settings, 'SIMPLYPLURAL_API_URL', 'https://api.apparyllis.com'),
      pluralkit: url(settings, 'PLURALKIT_API_URL', 'https://api.pluralkit.me'),
      getstream: url(settings, 'GETSTREAM_API_URL', 'https://chat.stream-io-api.com'),
      fitbit: url(settings, 'FITBIT_API_URL', 'https://api.fitbit.com'),
      fitbitAuth: url(settings, 'FITBIT_AUTH_URL', 'https://www.fitbit.com'),
    },
    wins: {
      // OpenFront publishes no quota for public reads: stay well below anything that looks like scraping.
      openfrontRequestsPerSecond: integer(settings, 'OPENFRONT_REQUESTS_PER_SECOND', 10, 1, 1000),
      openfrontConcurrency: integer(settings, 'OPENFRONT_CONCURRENCY', 4, 1, 64),
      openfrontRetryBaseDelayMs: integer(settings, 'OPENFRONT_RETRY_BASE_DELAY_MS', 250, 1, 60_000),
      backoffAfterFailures: integer(settings, 'SYNC_BACKOFF_AFTER_FAILURES', 5, 1, 1000),
      backoffMinutes: integer(settings, 'SYNC_BACKOFF_MINUTES', 5, 1, 24 * 60),
      syncJitterRatio: 0.1,
    },
    fronting: {
      simplyPluralDebounceMs: integer(settings, 'SIMPLYPLURAL_DEBOUNCE_MS', 1_000, 0, 60_000),
      // SimplyPlural asks pollers to use the websocket; with it, a slow safety-net read is enough.
      simplyPluralRefreshMs: integer(settings, 'SIMPLYPLURAL_REFRESH_INTERVAL_MS', 15 * 60_000, 10, 24 * 3_600_000),
      simplyPluralPingMs: integer(settings, 'SIMPLYPLURAL_PING_INTERVAL_MS', 10_000, 10, 300_000),
      simplyPluralRetryBaseMs: integer(settings, 'SIMPLYPLURAL_RETRY_BASE_DELAY_MS', 1_000, 1, 60_000),
      simplyPluralAuthFailurePauseMs: integer(settings, 'SIMPLYPLURAL_AUTH_FAILURE_PAUSE_MS', 30 * 60_000, 10, 24 * 3_600_000),
      pluralKitCoalescing: coalescingWindow(settings),
      pluralKitRetryBaseDelayMs: integer(settings, 'PLURALKIT_RETRY_BASE_DELAY_MS', 250, 1, 60_000),
      pluralKitFailedPostRetryMs: integer(settings, 'PLURALKIT_FAILED_POST_RETRY_MS', 60_000, 10, 3_600_000),
    },
    presence: {
      timeoutMs: integer(settings, 'PRESENCE_TIMEOUT_MS', 5 * 60_000, 1_000, 24 * 3_600_000),
      disconnectGraceMs: integer(settings, 'PRESENCE_DISCONNECT_GRACE_MS', 10_000, 0, 600_000),
      checkIntervalMs: integer(settings, 'PRESENCE_CHECK_INTERVAL_MS', 1_000, 10, 10_000),
      leaseFlushMs: integer(settings, 'PRESENCE_LEASE_FLUSH_MS', 1_000, 10, 10_000),
      socketPingMs: integer(settings, 'PRESENCE_SOCKET_PING_MS', 30_000, 100, 600_000),
      getstream: { apiKey: settings.GETSTREAM_API_KEY || undefined, apiSecret: settings.GETSTREAM_API_SECRET || undefined },
    },
    imports: {
      pluginCredentials: Object.fromEntries(
        Object.entries(settings).filter((entry): entry is [string, string] => PLUGIN_CREDENTIAL_KEY.test(entry[0]) && !!entry[1]),
      ),
      syncIntervalMs: integer(settings, 'IMPORTS_SYNC_INTERVAL_MS', 3_600_000, 1_000, 7 * 24 * 3_600_000),
      syncJitterRatio: 0.1,
      // Each sync makes 3-4 requests at once: eight syncs keep about 30 in flight.
      syncConcurrency: integer(settings, 'IMPORTS_SYNC_CONCURRENCY', 8, 1, 256),
    },
    maxBodyBytes: integer(settings, 'HERALD_MAX_BODY_BYTES', 100 * 1024, 1024, 50 * 1024 * 1024),
    pollIntervalMs: integer(settings, 'HERALD_POLL_INTERVAL_MS', 250, 10, 60_000),
  };
  if (config.adminToken !== undefined && config.adminToken.length < 16) {
    throw new InvalidConfiguration('HERALD_ADMIN_TOKEN must be at least 16 characters long');
  }
  return config;
}

const SECRET_KEYS = new Set(['HERALD_ADMIN_TOKEN', 'HERALD_MASTER_KEY', 'DISCORD_TOKEN', 'GETSTREAM_API_SECRET', 'DISCORD_CLIENT_SECRET']);
/** OAuth client credentials of data-import plugins (`FITBIT_CLIENT_ID`, `FITBIT_CLIENT_SECRET`, …): secrets too. */
const PLUGIN_CREDENTIAL_KEY = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_CLIENT_(?:ID|SECRET)$/;

/**
 * `<repository>/dist/web`, where `vite build` puts the console: the nearest directory holding
 * package.json above this file, whether it runs from the sources (tests) or from dist/ (`npm start`, the image).
 */
function defaultWebDir(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
  }
  return resolve('dist', 'web');
}

function readYaml(path: string): Settings {
  if (!existsSync(path)) return {};
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidConfiguration(`${path} must hold a mapping of settings`);
  }
  const settings: Settings = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const name = YAML_KEYS[key] ?? key;
    if (SECRET_KEYS.has(name) || PLUGIN_CREDENTIAL_KEY.test(name)) {
      throw new InvalidConfiguration(`${path}: ${name} is a secret; set it in the environment, not in a file`);
    }
    if (value !== null && typeof value === 'object') throw new InvalidConfiguration(`${path}: ${key} must be a scalar`);
    settings[name] = value === null || value === undefined ? undefined : String(value);
  }
  return settings;
}

function definedOnly(env: NodeJS.ProcessEnv): Settings {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function required(settings: Settings, name: string, because: string): string {
  const value = settings[name];
  if (!value) throw new InvalidConfiguration(`${name} is required when ${because}`);
  return value;
}

function oneOf<T extends string>(settings: Settings, name: string, allowed: readonly T[], fallback: T): T {
  const value = settings[name];
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (!match) throw new InvalidConfiguration(`${name} must be one of ${allowed.join(', ')}`);
  return match;
}

function integer(settings: Settings, name: string, fallback: number, min: number, max: number): number {
  const value = settings[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidConfiguration(`${name} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}

/** Defaults as the fronting domain's: a couple of seconds absorbs flapping, ten bound the wait. */
function coalescingWindow(settings: Settings): { quietMs: number; maxDelayMs: number } {
  const quietMs = integer(settings, 'PLURALKIT_COALESCE_QUIET_MS', 2_000, 0, 600_000);
  const maxDelayMs = integer(settings, 'PLURALKIT_COALESCE_MAX_DELAY_MS', Math.max(10_000, quietMs), 0, 3_600_000);
  if (maxDelayMs < quietMs) {
    throw new InvalidConfiguration('PLURALKIT_COALESCE_MAX_DELAY_MS must not be less than PLURALKIT_COALESCE_QUIET_MS');
  }
  return { quietMs, maxDelayMs };
}

function url(settings: Settings, name: string, fallback: string): string {
  const value = settings[name] ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidConfiguration(`${name} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidConfiguration(`${name} must be an absolute http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}
