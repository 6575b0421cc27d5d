/**
 * Herald's settings, resolved once at start-up from `herald.yml` (optional) overridden by the
 * environment (DESIGN.md, configuration). Secrets stay in this object and are never logged.
 */
export interface HeraldConfig {
  dataDir: string;
  eventStore: { kind: 'sqlite'; synchronous: 'FULL' | 'NORMAL'; fsync: 'commit' | 'thread-pool' } | { kind: 'esdb'; url: string };
  readStore: { kind: 'sqlite' } | { kind: 'mongo'; url: string; databasePrefix: string };
  port: number;
  logLevel: string;
  adminToken?: string;
  publicUrl: string;
  discord: { token?: string; devGuildId?: string; gateway: boolean };
  /** The web console (issue 7): its build, browser sessions, and "Sign in with Discord" (OAuth2 code flow). */
  web: {
    /** The built console (`vite build` output) served at `/`. */
    dir: string;
    /** How long a browser session lasts. */
    sessionTtlHours: number;
    /** The Discord application signing people in: sign-in answers `not_configured` until both are set. The secret is a secret. */
    discordClientId?: string;
    discordClientSecret?: string;
    discordAuthorizeUrl: string;
    discordTokenUrl: string;
  };
  upstreams: Record<
    'openfront' | 'discord' | 'simplyplural' | 'pluralkit' | 'getstream' | 'fitbit' | 'fitbitAuth',
    string
  >;
  /** The wins sync engine: client-side limits towards OpenFront and the guild backoff. */
  wins: {
    openfrontRequestsPerSecond: number;
    openfrontConcurrency: number;
    /** First wait before retrying a failed OpenFront request; each retry doubles it (with full jitter). */
    openfrontRetryBaseDelayMs: number;
    /** Upstream failures in a row that end a guild's run and start its backoff. */
    backoffAfterFailures: number;
    backoffMinutes: number;
    /** Scheduled runs start up to this share of the interval late, so guilds spread out. */
    syncJitterRatio: number;
  };
  /** The fronting updater: watching SimplyPlural and posting PluralKit switches. */
  fronting: {
    /** After a SimplyPlural change message, wait this long before re-reading, so a burst is read once. */
    simplyPluralDebounceMs: number;
    /** Re-read fronters this often without any message, in case one was missed. */
    simplyPluralRefreshMs: number;
    /** Keep-alive ping on the websocket (SimplyPlural asks for one every 10 s). */
    simplyPluralPingMs: number;
    /** First wait before reconnecting or re-reading after a failure; doubles up to a minute. */
    simplyPluralRetryBaseMs: number;
    /** How long a watcher rests after SimplyPlural refused its token, before trying again. */
    simplyPluralAuthFailurePauseMs: number;
    /** Observations are held until none came for `quietMs`, but no longer than `maxDelayMs`. */
    pluralKitCoalescing: { quietMs: number; maxDelayMs: number };
    /** First wait before retrying a PluralKit request that failed (5xx, timeout); doubles per retry. */
    pluralKitRetryBaseDelayMs: number;
    /** After a switch failed for an outage, try it again this long later (doubling, up to an hour). */
    pluralKitFailedPostRetryMs: number;
  };
  /** Presence: liveness of users, and the optional GetStream mirror. */
  presence: {
    /** A user with no socket goes offline this long after their last heartbeat. */
    timeoutMs: number;
    /** After the last socket closes, the user stays online this long, so a reconnect does not flap. */
    disconnectGraceMs: number;
    /** How often due liveness checks run; a timeout fires at most this much, a second and one lease flush late. */
    checkIntervalMs: number;
    /** Heartbeats are written to the read store in batches this often. */
    leaseFlushMs: number;
    /** Sockets are pinged this often; one that answers neither pong nor message in two rounds is dropped. */
    socketPingMs: number;
    /** GetStream Chat credentials: the mirror runs only when both are set. */
    getstream: { apiKey?: string; apiSecret?: string };
  };
  /** Data imports (libs/imports): OAuth2 plugins feeding daily metric values. */
  imports: {
    /**
     * `<PLUGIN>_CLIENT_ID` / `<PLUGIN>_CLIENT_SECRET` from the environment, by variable name: each
     * plugin's fallback for the settings its operator did not give over the API. Secrets.
     */
    pluginCredentials: Record<string, string>;
    /** Time between scheduled sync rounds. */
    syncIntervalMs: number;
    /** A round starts up to this share of the interval late, so instances and restarts spread out. */
    syncJitterRatio: number;
    /** Integrations synced at once within a round. */
    syncConcurrency: number;
  };
  /** Largest accepted JSON request body, in bytes. */
  maxBodyBytes: number;
  /** How often a process polls the shared SQLite log for events written by another process. */
  pollIntervalMs: number;
}

/** Nest injection token for the resolved `HeraldConfig`. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');
