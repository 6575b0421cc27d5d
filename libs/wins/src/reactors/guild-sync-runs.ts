import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type CommandContext, CommandRunner, NotFound, streams, TooManyRequests } from '@herald/core';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { ProjectionRunner } from '@herald/projections';
import { WinsState } from '../commands/wins-state';
import type { MemberSyncFailureSummary, SyncTrigger } from '../domain/events';
import { guildDecider, type GuildState } from '../domain/guild.decider';
import { type SyncRunDocument, WinsReadModel } from '../projections/wins.read-model';
import { MemberSync } from './member-sync';

export interface SyncRequest {
  guildId: string;
  trigger: SyncTrigger;
  /** One member only. */
  userId?: string;
  repairRoles?: boolean;
  /** Bypass OpenFront answers shared across guilds (default: for manual runs). */
  fresh?: boolean;
  /**
   * Asked for because the guild's settings changed: a run already going read the old settings, so
   * instead of joining it, another run follows it.
   */
  afterChange?: boolean;
  context: CommandContext;
}

export interface SyncRunProgress {
  runId: string;
  guildId: string;
  state: SyncRunDocument['state'];
  checked: number;
  changed: number;
  failed: number;
  durationMs: number | null;
  failures: MemberSyncFailureSummary[];
  done: Promise<SyncRunProgress>;
}

/** Finished runs stay in memory this long, so a caller polling a run sees it before the read model does. */
const KEEP_FINISHED_MS = 10 * 60_000;

/**
 * Runs guild syncs: one run per guild at a time (a second trigger joins the running one), members
 * synced side by side within the OpenFront client's limits, a failing member logged and skipped,
 * and after too many upstream failures in a row the run stops and the guild backs off.
 */
@Injectable()
export class GuildSyncRuns {
  private readonly logger = new Logger(GuildSyncRuns.name);
  private readonly running = new Map<string, SyncRunProgress>();
  /** Guilds whose run is being set up (between the trigger and `running`). */
  private readonly starting = new Map<string, number>();
  /** The run to start when the current one ends, by guild. */
  private readonly followUps = new Map<string, SyncRequest>();
  private readonly finished = new Map<string, { progress: SyncRunProgress; at: number }>();
  private readonly listeners: Array<(guildId: string) => void> = [];

  constructor(
    private readonly state: WinsState,
    private readonly members: MemberSync,
    private readonly readModel: WinsReadModel,
    private readonly commands: CommandRunner,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /** Starts a run, or joins the one already running for the guild. */
  async start(request: SyncRequest): Promise<SyncRunProgress> {
    const joined = this.running.get(request.guildId);
    if (joined) {
      if (request.afterChange) this.followUps.set(request.guildId, request);
      return joined;
    }
    this.starting.set(request.guildId, (this.starting.get(request.guildId) ?? 0) + 1);
    try {
      return await this.setUp(request);
    } finally {
      const count = (this.starting.get(request.guildId) ?? 1) - 1;
      if (count > 0) this.starting.set(request.guildId, count);
      else this.starting.delete(request.guildId);
    }
  }

  private async setUp(request: SyncRequest): Promise<SyncRunProgress> {
    const guild = await this.state.guild(request.guildId);
    if (!guild.registered) throw new NotFound(`Guild ${request.guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
    const waitMs = guild.backoffUntil ? Date.parse(guild.backoffUntil) - this.clock.now().getTime() : 0;
    if (waitMs > 0) {
      throw new TooManyRequests(
        `Syncing is paused until ${guild.backoffUntil} after repeated OpenFront failures.`,
        { code: 'SYNC.BACKING_OFF', retryAfterSeconds: waitMs / 1000 },
      );
    }
    if (request.userId !== undefined) {
      const member = await this.state.member(request.guildId, request.userId);
      if (!member.link) throw new NotFound(`User ${request.userId} has no linked OpenFront player in this guild.`, { code: 'LINK.NOT_FOUND' });
    }
    // Checked again: another trigger may have started a run while this one read the log.
    const raced = this.running.get(request.guildId);
    if (raced) {
      if (request.afterChange) this.followUps.set(request.guildId, request);
      return raced;
    }

    const runId = randomUUID();
    let resolveDone!: (progress: SyncRunProgress) => void;
    const progress: SyncRunProgress = {
      runId,
      guildId: request.guildId,
      state: 'queued',
      checked: 0,
      changed: 0,
      failed: 0,
      durationMs: null,
      failures: [],
      done: new Promise((resolve) => (resolveDone = resolve)),
    };
    this.running.set(request.guildId, progress);
    void this.run(guild, request, progress)
      .catch((error: unknown) => {
        progress.state = 'failed';
        this.logger.error(`guild ${request.guildId}: sync run ${runId} failed: ${(error as Error).stack ?? error}`);
      })
      .finally(() => {
        this.running.delete(request.guildId);
        const followUp = this.followUps.get(request.guildId);
        this.followUps.delete(request.guildId);
        if (followUp) {
          this.start({ ...followUp, afterChange: false }).catch((error: unknown) => {
            this.logger.warn(`guild ${request.guildId}: follow-up sync not started: ${(error as Error).message}`);
          });
        }
        this.finished.set(runId, { progress, at: Date.now() });
        this.forgetOld();
        resolveDone(progress);
        for (const listener of this.listeners) listener(request.guildId);
      });
    return progress;
  }

  /** A run's progress: in memory while it runs (and shortly after), else from the read model. */
  async status(guildId: string, runId: string): Promise<Omit<SyncRunProgress, 'done'> | SyncRunDocument | null> {
    const running = this.running.get(guildId);
    if (running?.runId === runId) return running;
    const finished = this.finished.get(runId)?.progress;
    if (finished?.guildId === guildId) return finished;
    return this.readModel.syncRun(guildId, runId);
  }

  /** True while a run of the guild is being set up, runs, or has one to follow it. */
  isRunning(guildId: string): boolean {
    return this.running.has(guildId) || this.starting.has(guildId) || this.followUps.has(guildId);
  }

  /** Resolves once the guild has no run going or planned; `cancelFollowUps` drops the planned ones first (guild removal). */
  async whenIdle(guildId: string, options: { cancelFollowUps?: boolean } = {}): Promise<void> {
    if (options.cancelFollowUps) this.followUps.delete(guildId);
    while (this.isRunning(guildId)) {
      const running = this.running.get(guildId);
      if (running) await running.done;
      else await new Promise((resolve) => setTimeout(resolve, 10));
      if (options.cancelFollowUps) this.followUps.delete(guildId);
    }
  }

  /** Called with the guild id whenever a run ends (the scheduler plans the next one). */
  onRunFinished(listener: (guildId: string) => void): void {
    this.listeners.push(listener);
  }

  private async run(guild: GuildState, request: SyncRequest, progress: SyncRunProgress): Promise<void> {
    const guildId = request.guildId;
    const started = Date.now();
    const context = { ...request.context, guildId };
    await this.appendToGuild(guildId, context, {
      type: 'StartGuildSync',
      guildId,
      runId: progress.runId,
      trigger: request.trigger,
      userId: request.userId ?? null,
    });
    progress.state = 'running';
    const userIds = request.userId !== undefined ? [request.userId] : await this.linkedMembers(guildId);

    const options = { fresh: request.fresh ?? request.trigger === 'manual', repairRoles: request.repairRoles ?? false, context };
    let consecutiveFailures = 0;
    let backoff = false;
    let next = 0;
    const worker = async () => {
      while (!backoff && next < userIds.length) {
        const userId = userIds[next++];
        const outcome = await this.members.sync(guild, userId, options).catch((error: unknown) => {
          this.logger.error(`guild ${guildId}: member ${userId} not synced: ${(error as Error).stack ?? error}`);
          return { status: 'failed' as const, playerId: '', reason: 'upstream_unavailable' as const, detail: String(error), transient: false };
        });
        if (outcome.status === 'unlinked') continue;
        progress.checked++;
        if (outcome.status === 'counted') {
          consecutiveFailures = 0;
          if (outcome.changed) progress.changed++;
          continue;
        }
        progress.failed++;
        progress.failures.push({ userId, playerId: outcome.playerId, reason: outcome.reason });
        consecutiveFailures = outcome.transient ? consecutiveFailures + 1 : 0;
        if (consecutiveFailures >= this.config.wins.backoffAfterFailures) backoff = true;
      }
    };
    const workers = Math.max(2, this.config.wins.openfrontConcurrency * 2);
    await Promise.all(Array.from({ length: Math.min(workers, userIds.length) }, worker));

    progress.durationMs = Date.now() - started;
    await this.appendToGuild(guildId, context, {
      type: 'CompleteGuildSync',
      guildId,
      runId: progress.runId,
      checked: progress.checked,
      changed: progress.changed,
      failed: progress.failed,
      durationMs: progress.durationMs,
      completedAt: this.clock.now().toISOString(),
      failures: progress.failures,
    });
    if (backoff) {
      const until = new Date(this.clock.now().getTime() + this.config.wins.backoffMinutes * 60_000).toISOString();
      await this.appendToGuild(guildId, context, {
        type: 'StartSyncBackoff',
        guildId,
        runId: progress.runId,
        until,
        consecutiveFailures,
      });
      this.logger.warn(`guild ${guildId}: ${consecutiveFailures} OpenFront failures in a row; syncing paused until ${until}`);
      progress.state = 'failed';
    } else {
      progress.state = 'completed';
    }
  }

  /** Linked members from the read model, once it has caught up with the log (links made just now included). */
  private async linkedMembers(guildId: string): Promise<string[]> {
    await this.projections.waitUntilCaughtUp(5_000).catch((error: unknown) => {
      this.logger.warn(`guild ${guildId}: syncing members known so far: ${(error as Error).message}`);
    });
    const userIds: string[] = [];
    for await (const player of this.readModel.players(guildId)) userIds.push(player.userId);
    return userIds;
  }

  private async appendToGuild(guildId: string, context: CommandContext, command: Parameters<typeof guildDecider.decide>[0]) {
    await this.commands.run({ streamId: streams.guild(guildId), decider: guildDecider, command, context });
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [runId, entry] of this.finished) if (now - entry.at > KEEP_FINISHED_MS) this.finished.delete(runId);
  }
}
