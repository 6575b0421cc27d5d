import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig, newCorrelationId } from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import { ImportsReadModel } from '../projections/imports.read-model';
import { IntegrationSyncs, rateLimitedUntil } from './integration-syncs';
import { type SyncOutcome, SyncStatusStore } from './sync-status';

export interface ImportsModuleOptions {
  /** The server syncs every hour; the CLI does not. */
  schedule: boolean;
}

export const IMPORTS_OPTIONS = Symbol('IMPORTS_OPTIONS');

/** The first round after start-up waits this long (plus jitter): a restart is no reason to sync everyone at once. */
const STARTUP_DELAY_MS = 2 * 60_000;

export interface RoundReport {
  /** Enabled, connected integrations looked at. */
  integrations: number;
  synced: number;
  /** Synced recently (by another process or a manual sync), running elsewhere, or rate-limited. */
  skipped: number;
  outcomes: Partial<Record<SyncOutcome, number>>;
  seconds: number;
}

/** How late a round starts: up to the jitter share of the interval, at random. */
export function roundJitter(intervalMs: number, jitterRatio: number, random: () => number = Math.random): number {
  return Math.round(intervalMs * jitterRatio * random());
}

/**
 * Every hour (late by a random few minutes, so instances and restarts spread out), syncs the last
 * 7 days of every enabled integration, a few at a time. An integration synced less than half an
 * interval ago (by a manual sync, or by another instance's round) is left alone.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<RoundReport> | null = null;
  private stopped = false;

  constructor(
    private readonly readModel: ImportsReadModel,
    private readonly syncs: IntegrationSyncs,
    private readonly statuses: SyncStatusStore,
    private readonly metrics: HeraldMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(IMPORTS_OPTIONS) private readonly options: ImportsModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.schedule) return;
    const { syncIntervalMs, syncJitterRatio } = this.config.imports;
    this.plan(Math.min(STARTUP_DELAY_MS, syncIntervalMs) + roundJitter(syncIntervalMs, syncJitterRatio));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
  }

  /** One round now (or the one already going): what the timer runs, and what the benchmark times. */
  runRound(): Promise<RoundReport> {
    this.round ??= this.syncDue().finally(() => (this.round = null));
    return this.round;
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.fire(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    try {
      const report = await this.runRound();
      this.logger.log(
        `import round: ${report.synced} of ${report.integrations} integrations synced in ${report.seconds.toFixed(1)} s ` +
          `(${Object.entries(report.outcomes).map(([outcome, count]) => `${count} ${outcome}`).join(', ') || 'nothing due'})`,
      );
    } catch (error) {
      this.logger.error(`import round failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { syncIntervalMs, syncJitterRatio } = this.config.imports;
    this.plan(syncIntervalMs + roundJitter(syncIntervalMs, syncJitterRatio));
  }

  private async syncDue(): Promise<RoundReport> {
    const started = process.hrtime.bigint();
    const stopTimer = this.metrics.importRoundSeconds.startTimer();
    const report: RoundReport = { integrations: 0, synced: 0, skipped: 0, outcomes: {}, seconds: 0 };
    const integrations = this.readModel.schedulableIntegrations();
    const worker = async () => {
      for (let next = await integrations.next(); !next.done && !this.stopped; next = await integrations.next()) {
        report.integrations += 1;
        const key = { userId: next.value.userId, pluginId: next.value.pluginId };
        if (!(await this.isDue(key))) {
          report.skipped += 1;
          continue;
        }
        const result = await this.syncs
          .sync(key, { trigger: 'scheduled', context: { source: 'scheduler', correlationId: newCorrelationId() } })
          .catch((error: unknown) => {
            this.logger.warn(`${key.pluginId} sync of user ${key.userId} not run: ${error instanceof Error ? error.message : String(error)}`);
            return null;
          });
        if (result === null) {
          report.skipped += 1;
          continue;
        }
        report.synced += 1;
        report.outcomes[result.outcome] = (report.outcomes[result.outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: this.config.imports.syncConcurrency }, worker));
    stopTimer();
    report.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return report;
  }

  private async isDue(key: { userId: string; pluginId: string }): Promise<boolean> {
    const status = await this.statuses.get(key);
    const now = this.clock.now();
    const recently = now.getTime() - this.config.imports.syncIntervalMs / 2;
    if (status.lastAttemptAt !== null && Date.parse(status.lastAttemptAt) > recently) return false;
    if (status.runningUntil !== null && Date.parse(status.runningUntil) > now.getTime()) return false;
    return rateLimitedUntil(status, now) === null;
  }
}
