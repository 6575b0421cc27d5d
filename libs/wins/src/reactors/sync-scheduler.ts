import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig, newCorrelationId, TooManyRequests } from '@herald/core';
import { WinsReadModel } from '../projections/wins.read-model';
import { GuildSyncRuns } from './guild-sync-runs';
import { WinsState } from '../commands/wins-state';

export interface WinsModuleOptions {
  /** The server schedules guild syncs; the CLI does not. */
  schedule: boolean;
}

export const WINS_OPTIONS = Symbol('WINS_OPTIONS');

const HOUR_MS = 3_600_000;
/** Guilds overdue at start-up begin within this window, not all at once. */
const STARTUP_SPREAD_MS = 60_000;

/**
 * Syncs every registered guild every `syncIntervalHours`, late by a random share of the interval
 * so guilds spread out. One timer per guild; a run ending for any reason plans the next.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private stopped = false;

  constructor(
    private readonly runs: GuildSyncRuns,
    private readonly readModel: WinsReadModel,
    private readonly state: WinsState,
    private readonly timers: SchedulerRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(WINS_OPTIONS) private readonly options: WinsModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.schedule) return;
    this.runs.onRunFinished((guildId) => void this.plan(guildId));
    for await (const guild of this.readModel.guilds()) {
      const dueAt = guild.lastSyncAt ? Date.parse(guild.lastSyncAt) + guild.syncIntervalHours * HOUR_MS : 0;
      const now = this.clock.now().getTime();
      this.schedule(guild.id, dueAt <= now ? Math.random() * STARTUP_SPREAD_MS : dueAt - now + this.jitter(guild.syncIntervalHours));
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const name of this.timers.getTimeouts()) if (name.startsWith('wins-sync:')) this.timers.deleteTimeout(name);
  }

  /** Plans the guild's next run one interval from now (after a run, a registration or a new interval). */
  async plan(guildId: string): Promise<void> {
    const guild = await this.state.guild(guildId).catch(() => null);
    if (!guild?.registered) return this.cancel(guildId);
    const backoffMs = guild.backoffUntil ? Date.parse(guild.backoffUntil) - this.clock.now().getTime() : 0;
    const intervalMs = guild.syncIntervalHours * HOUR_MS;
    this.schedule(guildId, Math.max(backoffMs, intervalMs) + this.jitter(guild.syncIntervalHours));
  }

  cancel(guildId: string): void {
    const name = timerName(guildId);
    if (this.timers.doesExist('timeout', name)) this.timers.deleteTimeout(name);
  }

  private schedule(guildId: string, inMs: number): void {
    if (this.stopped || !this.options.schedule) return;
    this.cancel(guildId);
    const timer = setTimeout(() => void this.fire(guildId), Math.max(0, Math.round(inMs)));
    timer.unref();
    this.timers.addTimeout(timerName(guildId), timer);
  }

  private async fire(guildId: string): Promise<void> {
    this.timers.deleteTimeout(timerName(guildId));
    try {
      await this.runs.start({
        guildId,
        trigger: 'scheduled',
        context: { source: 'scheduler', correlationId: newCorrelationId(), guildId },
      });
    } catch (error) {
      if (!(error instanceof TooManyRequests)) this.logger.warn(`guild ${guildId}: scheduled sync not started: ${(error as Error).message}`);
      await this.plan(guildId);
    }
  }

  private jitter(intervalHours: number): number {
    return Math.random() * intervalHours * HOUR_MS * this.config.wins.syncJitterRatio;
  }
}

function timerName(guildId: string): string {
  return `wins-sync:${guildId}`;
}
