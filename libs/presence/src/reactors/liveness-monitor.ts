import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig, newCorrelationId } from '@herald/core';
import { ProjectionRunner } from '@herald/projections';
import { PresenceStates } from '../commands/presence-states';
import { DeadlineWheel } from '../domain/deadline-wheel';
import { judgeLiveness, type LivenessRules } from '../domain/liveness';
import { PresenceReadModel } from '../projections/presence.read-model';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';
import { PresenceLeases } from './presence-leases';

/** Users checked at once in one tick; the rest wait for the next batch of the same tick. */
const CHECKS_IN_FLIGHT = 16;
/** After a restart, sockets that were open get this long (at least) to come back before their users go offline. */
const RECONNECT_WINDOW_MS = 30_000;
const REARM_TIMEOUT_MS = 10 * 60_000;

/**
 * Takes users offline when nothing holds them any more: no socket (after the grace period) and no
 * heartbeat within the timeout. Each user has at most one pending check in a deadline wheel, set
 * from what is known when they act (a heartbeat, a closed socket) and corrected when the check runs;
 * every tick takes only the checks that are due, never a sweep over every user. A check reads the
 * leases of every Herald process from the read store and decides on the log, so a user is never
 * taken offline early, and at most `checkIntervalMs` + a second + `leaseFlushMs` late (3 s by default).
 */
@Injectable()
export class LivenessMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PresenceLiveness');
  private readonly wheel = new DeadlineWheel(1000);
  private readonly rules: LivenessRules;
  /** Leases reach the store up to one flush late: checks wait that long past a deadline. */
  private readonly marginMs: number;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly states: PresenceStates,
    private readonly leases: PresenceLeases,
    private readonly readModel: PresenceReadModel,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {
    this.rules = { graceMs: config.presence.disconnectGraceMs, remoteRecheckMs: config.presence.timeoutMs };
    this.marginMs = config.presence.leaseFlushMs;
  }

  onApplicationBootstrap(): void {
    if (!this.options.run) return;
    this.timer = setInterval(() => this.tick(), this.config.presence.checkIntervalMs);
    this.timer.unref();
    void this.rearm();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** Makes sure the user is checked no later than `atMs` (an earlier check is harmless: it looks again). */
  checkBy(userId: string, atMs: number): void {
    const due = this.wheel.dueAt(userId);
    if (due === undefined || atMs < due) this.wheel.schedule(userId, atMs);
  }

  /** The user may be held only by a lease until `untilMs`: check them once it has run out. */
  checkAfter(userId: string, untilMs: number): void {
    this.checkBy(userId, untilMs + this.marginMs);
  }

  /** Runs the checks that are due; a tick still running makes the next one wait. */
  tick(): Promise<void> {
    if (this.ticking || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = this.runDue().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async runDue(): Promise<void> {
    const due = this.wheel.takeDue(this.clock.now().getTime());
    for (let i = 0; i < due.length && !this.stopped; i += CHECKS_IN_FLIGHT) {
      await Promise.all(due.slice(i, i + CHECKS_IN_FLIGHT).map((userId) => this.check(userId)));
    }
  }

  private async check(userId: string): Promise<void> {
    try {
      const state = await this.states.current(userId);
      if (state.status === 'offline') return;
      const inputs = await this.leases.inputs(userId);
      const verdict = judgeLiveness(inputs, this.rules);
      if (verdict.live) {
        if (verdict.recheckAt !== null) this.checkAfter(userId, verdict.recheckAt);
        return;
      }
      const result = await this.states.run(
        userId,
        {
          type: 'EndPresence',
          reason: verdict.reason,
          lastActiveAt: inputs.lastActiveAt === null ? null : new Date(inputs.lastActiveAt).toISOString(),
          evaluatedAt: new Date(inputs.now).toISOString(),
        },
        { source: 'system', correlationId: newCorrelationId() },
      );
      // The user acted between the check and the decision: look again shortly.
      if (result.state.status !== 'offline') this.checkBy(userId, inputs.now + 1_000);
    } catch (error) {
      this.logger.error(`liveness check of user ${userId} failed, retried in a second: ${describe(error)}`);
      this.checkBy(userId, this.clock.now().getTime() + 1_000);
    }
  }

  /**
   * After a start, every user the read models show online gets a check: their sockets died with
   * the previous process, so they have the reconnect window (or their lease, if longer) to come back.
   */
  private async rearm(): Promise<void> {
    try {
      await this.projections.waitUntilCaughtUp(REARM_TIMEOUT_MS);
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(`read models not caught up at start-up; re-arming from what they hold: ${describe(error)}`);
    }
    const at = this.clock.now().getTime() + Math.max(this.rules.graceMs, RECONNECT_WINDOW_MS);
    let count = 0;
    try {
      for await (const userId of this.readModel.onlineUserIds()) {
        if (this.stopped) return;
        this.checkBy(userId, at);
        count += 1;
      }
    } catch (error) {
      if (!this.stopped) this.logger.error(`liveness checks not re-armed after ${count} users: ${describe(error)}`);
    }
    if (count > 0) this.logger.log(`liveness checks re-armed for ${count} users shown online`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
