import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type CommandContext, HeraldError } from '@herald/core';
import { UpstreamMalformed, UpstreamRejected, UpstreamUnavailable } from '@herald/http-client';
import { HeraldMetrics } from '@herald/observability';
import { type IntegrationKey, IntegrationStreams } from '../commands/integration-streams';
import { type ActiveCredentials, IntegrationTokens, TokenRefreshStalled } from '../commands/integration-tokens';
import { PluginSettings } from '../commands/plugin-settings';
import { type DateRange, syncWindow } from '../domain/dates';
import { IntegrationNotConnected, ReconnectRequired } from '../domain/integration.decider';
import type { DailyRecord, DataImportPlugin, FetchObserver, PluginConfig, UpstreamQuota } from '../domain/plugin';
import { AccessTokenExpired, CredentialsRejected, type FieldFailure, IncompleteFetch, UpstreamRateLimited } from '../domain/plugin-errors';
import { PluginRegistry } from '../plugins/plugin-registry';
import { type SyncOutcome, type SyncProblem, type SyncStatusDocument, SyncStatusStore } from './sync-status';

export type SyncTrigger = 'scheduled' | 'manual';

/** What one sync did, as the user is told. */
export interface SyncResult {
  pluginId: string;
  outcome: SyncOutcome;
  startDate: string;
  endDate: string;
  /** Days the service had at least one value for. */
  daysRead: number;
  /** Values new or changed since the last import, now recorded; a re-import records none. */
  valuesImported: number;
  problems: SyncProblem[];
  /** Set when the service's rate limit holds every request until then. */
  retryAt: string | null;
  syncedAt: string;
}

export interface SyncRequest {
  /** Default: the user's last 7 days. */
  range?: DateRange;
  trigger: SyncTrigger;
  context: CommandContext;
}

/** Requests kept in hand for a sync: below this many left in the user's budget, nothing is asked until it refills. */
export const QUOTA_RESERVE = 10;
/** Other processes' schedulers leave an integration alone this long after a sync of it started. */
const SYNC_LEASE_MS = 5 * 60_000;

interface Fetched {
  records: DailyRecord[];
  failures: FieldFailure[];
}

/**
 * Syncs integrations: tokens fresh (refreshed once, under the log's lock), a 401 refreshed and
 * retried once, the service's per-user rate limit respected, changed values recorded in
 * `DailyMetricsImported`, the outcome kept in the sync status. Syncs of one integration run one
 * after another in this process: a manual sync waits for the running one, a scheduled one skips.
 */
@Injectable()
export class IntegrationSyncs {
  private readonly logger = new Logger('Imports');
  private readonly running = new Map<string, Promise<SyncResult>>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly streams: IntegrationStreams,
    private readonly tokens: IntegrationTokens,
    private readonly settings: PluginSettings,
    private readonly statuses: SyncStatusStore,
    private readonly metrics: HeraldMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The sync's result; null when a scheduled sync found another sync of the integration running. */
  async sync(key: IntegrationKey, request: SyncRequest): Promise<SyncResult | null> {
    const plugin = this.registry.get(key.pluginId);
    for (;;) {
      const running = this.running.get(runKey(key));
      if (running === undefined) break;
      if (request.trigger === 'scheduled') return null;
      await running.catch(() => undefined);
    }
    const sync = this.run(key, plugin, request);
    this.running.set(runKey(key), sync);
    try {
      return await sync;
    } finally {
      if (this.running.get(runKey(key)) === sync) this.running.delete(runKey(key));
    }
  }

  private async run(key: IntegrationKey, plugin: DataImportPlugin, request: SyncRequest): Promise<SyncResult> {
    const now = this.clock.now();
    const { state } = await this.streams.load(key);
    if (!state.connected) throw new IntegrationNotConnected(plugin.id);
    const range = request.range ?? syncWindow(now, state.timeZone);
    const status = await this.statuses.get(key);
    const result: SyncResult = {
      pluginId: plugin.id,
      outcome: 'ok',
      ...range,
      daysRead: 0,
      valuesImported: 0,
      problems: [],
      retryAt: null,
      syncedAt: now.toISOString(),
    };
    if (state.reconnect !== null) return this.report(key, plugin, request, { ...result, ...reconnectNeeded(plugin) });
    const limitedUntil = rateLimitedUntil(status, now);
    if (limitedUntil !== null) return this.report(key, plugin, request, { ...result, ...rateLimited(plugin, limitedUntil) });

    await this.statuses.save(key, { ...status, runningUntil: new Date(now.getTime() + SYNC_LEASE_MS).toISOString() });
    let quota = status.quota;
    const observer: FetchObserver = { quota: (reported) => (quota = reported) };
    try {
      const config = await this.settings.config(plugin);
      const { records, failures } = await this.fetch(key, plugin, config, range, observer, request.context);
      const offeredFields = plugin.getAvailableFields().map((field) => field.id);
      const { events } = await this.streams.run(
        key,
        { type: 'RecordImport', pluginId: plugin.id, offeredFields, ...range, records },
        request.context,
      );
      result.daysRead = records.filter((record) => Object.keys(record.fields).length > 0).length;
      result.valuesImported = events.reduce(
        (count, event) => count + (event.type === 'DailyMetricsImported' ? event.data.days.reduce((n, day) => n + Object.keys(day.values).length, 0) : 0),
        0,
      );
      result.problems = failures.map((failure) => ({ code: 'fields_unavailable', message: failure.message, fields: failure.fields }));
      result.outcome = failures.length > 0 ? 'partial' : 'ok';
    } catch (error) {
      if (error instanceof IntegrationNotConnected) {
        await this.statuses.save(key, { ...status, runningUntil: null });
        throw error;
      }
      Object.assign(result, this.failure(key, plugin, error));
    }
    await this.statuses.save(key, {
      ...status,
      lastAttemptAt: result.syncedAt,
      lastSyncAt: result.outcome === 'ok' || result.outcome === 'partial' ? result.syncedAt : status.lastSyncAt,
      outcome: result.outcome,
      problems: result.problems,
      retryAt: result.retryAt,
      quota,
      runningUntil: null,
    });
    return this.report(key, plugin, request, result);
  }

  /** Fetches with fresh tokens; an auth refusal refreshes them and tries once more. */
  private async fetch(
    key: IntegrationKey,
    plugin: DataImportPlugin,
    config: PluginConfig,
    range: DateRange,
    observer: FetchObserver,
    context: CommandContext,
  ): Promise<Fetched> {
    const fields = plugin.getAvailableFields().map((field) => field.id);
    let active: ActiveCredentials = await this.tokens.current(key, plugin, config, context);
    for (let attempt = 0; ; attempt++) {
      try {
        return { records: await plugin.fetchData(active.credentials, range.startDate, range.endDate, fields, observer), failures: [] };
      } catch (error) {
        if (error instanceof IncompleteFetch) return { records: error.records, failures: error.failures };
        if (!(error instanceof AccessTokenExpired || error instanceof CredentialsRejected)) throw error;
        if (attempt > 0) {
          if (error instanceof CredentialsRejected) {
            await this.tokens.requireReconnect(key, 'credentials_rejected', active.version, context);
            throw new ReconnectRequired(plugin.id);
          }
          throw error;
        }
        active = await this.tokens.refresh(key, plugin, config, active.version, context);
      }
    }
  }

  /** The outcome and problem a failed sync reports; the message never quotes the service. */
  private failure(key: IntegrationKey, plugin: DataImportPlugin, error: unknown): Pick<SyncResult, 'outcome' | 'problems' | 'retryAt'> {
    if (error instanceof ReconnectRequired) return reconnectNeeded(plugin);
    if (error instanceof UpstreamRateLimited) return rateLimited(plugin, error.resetAt);
    const problem = (code: SyncProblem['code'], message: string) => ({ outcome: 'error' as const, problems: [{ code, message }], retryAt: null });
    if (error instanceof UpstreamUnavailable || error instanceof TokenRefreshStalled) {
      return problem('upstream_unavailable', `${plugin.name} did not answer in time; the next sync tries again.`);
    }
    if (error instanceof AccessTokenExpired) return problem('upstream_refused', `${plugin.name} refused the token even after refreshing it.`);
    if (error instanceof UpstreamRejected || error instanceof UpstreamMalformed) {
      return problem('upstream_refused', `${plugin.name} refused the request or answered what Herald cannot read: ${error.detail ?? error.title}`);
    }
    if (error instanceof HeraldError) return problem('internal', error.detail ?? error.title);
    this.logger.error(`${plugin.id} sync of user ${key.userId} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
    return problem('internal', 'The sync failed on Herald\'s side; it has been logged.');
  }

  private report(key: IntegrationKey, plugin: DataImportPlugin, request: SyncRequest, result: SyncResult): SyncResult {
    this.metrics.importSyncs.inc({ plugin: plugin.id, trigger: request.trigger, outcome: result.outcome });
    if (result.outcome === 'error' || result.outcome === 'partial') {
      this.logger.warn(`${plugin.id} sync of user ${key.userId} (${result.outcome}): ${result.problems.map((p) => p.message).join(' ')}`);
    }
    return result;
  }
}

function runKey({ userId, pluginId }: IntegrationKey): string {
  return `${userId}_${pluginId}`;
}

/** When requests may go out again, if the service's rate limit holds them now. */
export function rateLimitedUntil(status: Pick<SyncStatusDocument, 'retryAt' | 'quota'>, now: Date): string | null {
  if (status.retryAt !== null && Date.parse(status.retryAt) > now.getTime()) return status.retryAt;
  const quota: UpstreamQuota | null = status.quota;
  if (quota !== null && quota.remaining < QUOTA_RESERVE && Date.parse(quota.resetAt) > now.getTime()) return quota.resetAt;
  return null;
}

function rateLimited(plugin: DataImportPlugin, until: string): Pick<SyncResult, 'outcome' | 'problems' | 'retryAt'> {
  return {
    outcome: 'rate_limited',
    problems: [{ code: 'rate_limited', message: `${plugin.name}'s hourly request limit is reached; syncing resumes at ${until}.` }],
    retryAt: until,
  };
}

function reconnectNeeded(plugin: DataImportPlugin): Pick<SyncResult, 'outcome' | 'problems' | 'retryAt'> {
  return {
    outcome: 'reconnect_needed',
    problems: [{ code: 'reconnect_needed', message: `${plugin.name} no longer accepts Herald's access; connect it again.` }],
    retryAt: null,
  };
}
