/**
 * Herald's settings, resolved once at start-up from `herald.yml` (optional) overridden by the
 * environment (DESIGN.md, configuration). Secrets stay in this object and are never logged.
 */
export interface HeraldConfig {
  dataDir: string;
  eventStore: { kind: 'sqlite'; synchronous: 'FULL' | 'NORMAL' } | { kind: 'esdb'; url: string };
  readStore: { kind: 'sqlite' } | { kind: 'mongo'; url: string; databasePrefix: string };
  port: number;
  logLevel: string;
  adminToken?: string;
  publicUrl: string;
  discord: { token?: string; devGuildId?: string; gateway: boolean };
  upstreams: Record<
    'openfront' | 'discord' | 'simplyplural' | 'pluralkit' | 'getstream' | 'fitbit' | 'fitbitAuth',
    string
  >;
  /** The wins sync engine: client-side limits towards OpenFront and the guild backoff. */
  wins: {
    openfrontRequestsPerSecond: number;
    openfrontConcurrency: number;
    /** Upstream failures in a row that end a guild's run and start its backoff. */
    backoffAfterFailures: number;
    backoffMinutes: number;
    /** Scheduled runs start up to this share of the interval late, so guilds spread out. */
    syncJitterRatio: number;
  };
  /** Largest accepted JSON request body, in bytes. */
  maxBodyBytes: number;
  /** How often a process polls the shared SQLite log for events written by another process. */
  pollIntervalMs: number;
}

/** Nest injection token for the resolved `HeraldConfig`. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');
