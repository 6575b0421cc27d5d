import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  CommandRunner,
  HERALD_CONFIG,
  type HeraldConfig,
  SECRET_BOX,
  type SealedSecret,
  type SecretBox,
  SecretForgotten,
  streams,
} from '@herald/core';
import { UpstreamMalformed, UpstreamUnavailable } from '@herald/http-client';
import { PluralKitClient } from '../clients/pluralkit.client';
import { FrontingState } from '../commands/fronting-state';
import { coalesceObservations, type CoalescingWindow, type TimedObservation } from '../domain/coalescing';
import { sameFronterSet } from '../domain/fronter-set';
import { systemDecider, type SystemCommand } from '../domain/system.decider';
import { ConcurrencyLimit } from './concurrency-limit';
import { type ObservationToPost, observationToPost } from './observation-to-post';

/**
 * Systems brought in line with PluralKit at once; each one's requests are paced by its token's
 * limits anyway, and each holds at most one request (so one connection) at a time. When many
 * switches fall due together, each system takes 0.3-0.5 s from its read to its recorded switch on
 * a busy server, so 64 held the poster to about 150 switches/s; at 256 the CPU is the limit
 * (bench/RESULTS.md, h)).
 */
const MAX_CONCURRENT_SYSTEMS = 256;
/** Retries after an outage double up to this. */
const MAX_FAILED_POST_RETRY_MS = 3_600_000;

interface PendingSystem {
  /** Global positions of the observations waiting, with their times. */
  observations: TimedObservation<number>[];
  timer: NodeJS.Timeout | null;
}

/** The outcome of an attempt; the observation's position is added when it is recorded. */
type Outcome = Extract<SystemCommand, { type: 'RecordSwitchPosted' | 'RecordAlreadyInSync' | 'RecordSwitchPostFailed' }>;

/**
 * Turns `FrontersObserved` into PluralKit switches. Observations of one system are coalesced
 * (only the newest counts once the burst is quiet), then the wanted members are compared with
 * PluralKit's current fronters as sets: equal sets post nothing, others post one switch. Every
 * outcome is recorded on the system stream with the observation's position, so an observation
 * delivered again is skipped; a switch that failed for an outage is tried again later.
 */
@Injectable()
export class PluralKitSwitchPoster {
  private readonly logger = new Logger(PluralKitSwitchPoster.name);
  private readonly pending = new Map<string, PendingSystem>();
  private readonly active = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | null; attempt: number }>();
  private readonly slots = new ConcurrencyLimit(MAX_CONCURRENT_SYSTEMS);
  private readonly window: CoalescingWindow;
  private stopped = false;

  constructor(
    private readonly state: FrontingState,
    private readonly pluralKit: PluralKitClient,
    private readonly commands: CommandRunner,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    this.window = config.fronting.pluralKitCoalescing;
  }

  /** An observation at `position`, made at `atMs`, waits for its burst to end. */
  enqueue(userId: string, position: number, atMs: number): void {
    if (this.stopped) return;
    const entry = this.pending.get(userId) ?? { observations: [], timer: null };
    entry.observations.push({ at: atMs, value: position });
    this.pending.set(userId, entry);
    this.evaluate(userId);
  }

  /** Picks up an observation left unanswered (by a restart, or an outage) straight away. */
  async resume(userId: string): Promise<void> {
    const { recorded } = await this.state.system(userId);
    const observation = observationToPost(recorded);
    if (observation) this.enqueue(userId, observation.position, 0);
  }

  /** Stops taking work; systems being posted finish (bounded, so shutdown never hangs on an upstream). */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.stopped = true;
    for (const entry of this.pending.values()) if (entry.timer) clearTimeout(entry.timer);
    for (const retry of this.retries.values()) if (retry.timer) clearTimeout(retry.timer);
    this.pending.clear();
    this.retries.clear();
    const finished = Promise.allSettled([...this.active.values()]);
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private evaluate(userId: string): void {
    const entry = this.pending.get(userId);
    if (!entry || this.stopped) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    // One post per system at a time; the run re-evaluates when it ends.
    if (this.active.has(userId)) return;
    const now = this.clock.now().getTime();
    const decision = coalesceObservations(entry.observations, now, this.window);
    if (decision.action === 'idle') {
      this.pending.delete(userId);
      return;
    }
    if (decision.action === 'wait') {
      entry.timer = setTimeout(() => this.evaluate(userId), Math.max(1, decision.untilMs - now));
      entry.timer.unref();
      return;
    }
    this.pending.delete(userId);
    const run = this.slots
      .run(() => this.bringInLine(userId))
      .catch((error: unknown) => this.logger.error(`user ${userId}: switch not handled: ${describe(error)}`))
      .finally(() => {
        this.active.delete(userId);
        this.evaluate(userId);
      });
    this.active.set(userId, run);
  }

  private async bringInLine(userId: string): Promise<void> {
    if (this.stopped) return;
    const { recorded, state } = await this.state.system(userId);
    if (!state.enableToPluralKit || !state.pluralKitToken || state.rejectedTokens.includes('pluralkit')) return;
    const observation = observationToPost(recorded);
    if (!observation) return;
    let token: string;
    try {
      token = await this.secrets.open(userId, state.pluralKitToken.sealed);
    } catch (error) {
      if (error instanceof SecretForgotten) return;
      throw error;
    }
    const sealed = state.pluralKitToken.sealed;
    const record = (command: Outcome) => this.recordOutcome(userId, observation, command);
    const wanted = observation.pluralKitIds;
    try {
      const current = await this.pluralKit.currentFronters(token);
      if (current.outcome === 'token_rejected') return this.tokenRejected(userId, observation, sealed);
      if (current.outcome === 'refused') {
        return record({ type: 'RecordSwitchPostFailed', reason: 'upstream_refused', detail: refusedDetail(current), pluralKitIds: wanted });
      }
      if (sameFronterSet(current.memberIds, wanted)) return record({ type: 'RecordAlreadyInSync', pluralKitIds: wanted });

      const posted = await this.pluralKit.postSwitch(token, wanted);
      switch (posted.outcome) {
        case 'posted':
          return record({ type: 'RecordSwitchPosted', switchId: posted.switchId, pluralKitIds: wanted, timestamp: posted.timestamp });
        case 'identical':
          // Someone logged the same switch between our read and our post: in sync all the same.
          return record({ type: 'RecordAlreadyInSync', pluralKitIds: wanted });
        case 'token_rejected':
          return this.tokenRejected(userId, observation, sealed);
        case 'member_not_found':
          if (posted.memberId === null) {
            return record({ type: 'RecordSwitchPostFailed', reason: 'upstream_refused', detail: 'PluralKit does not know one of the members.', pluralKitIds: wanted });
          }
          return record({
            type: 'RecordSwitchPostFailed',
            reason: 'stale_member',
            staleMemberId: posted.memberId,
            detail: `PluralKit has no member '${posted.memberId}': correct or clear that pkId in SimplyPlural.`,
            pluralKitIds: wanted,
          });
        case 'refused':
          return record({ type: 'RecordSwitchPostFailed', reason: 'upstream_refused', detail: refusedDetail(posted), pluralKitIds: wanted });
      }
    } catch (error) {
      if (!(error instanceof UpstreamUnavailable || error instanceof UpstreamMalformed)) throw error;
      await record({ type: 'RecordSwitchPostFailed', reason: 'upstream_unavailable', detail: error.message, pluralKitIds: wanted });
      this.retryLater(userId);
    }
  }

  private async recordOutcome(userId: string, observation: ObservationToPost, outcome: Outcome): Promise<void> {
    this.clearRetry(userId, outcome.type !== 'RecordSwitchPostFailed' || outcome.reason !== 'upstream_unavailable');
    await this.commands.run({
      streamId: streams.system(userId),
      decider: systemDecider,
      command: { ...outcome, observedPosition: observation.position },
      context: { source: 'system', correlationId: observation.correlationId, causationId: observation.eventId, userId },
      // Two processes answering the same attempt at the same observation record it once.
      commandId: `pluralkit-switch:${observation.eventId}:${observation.failedAttempts}`,
    });
    if (outcome.type === 'RecordSwitchPostFailed') this.logger.warn(`user ${userId}: PluralKit switch failed: ${outcome.detail}`);
  }

  /** Recorded against the token the request was made with: if it was replaced meanwhile, this is old news. */
  private async tokenRejected(userId: string, observation: ObservationToPost, sealed: SealedSecret): Promise<void> {
    this.logger.warn(`user ${userId}: PluralKit rejected the token; no more switches until it is replaced`);
    await this.commands.run({
      streamId: streams.system(userId),
      decider: systemDecider,
      command: { type: 'RecordTokenRejected', service: 'pluralkit', token: sealed },
      context: { source: 'system', correlationId: observation.correlationId, causationId: observation.eventId, userId },
    });
  }

  /** After an outage, the same observation is tried again, later each time. */
  private retryLater(userId: string): void {
    if (this.stopped) return;
    const retry = this.retries.get(userId) ?? { timer: null, attempt: 0 };
    retry.attempt += 1;
    const delay = Math.min(MAX_FAILED_POST_RETRY_MS, this.config.fronting.pluralKitFailedPostRetryMs * 2 ** (retry.attempt - 1));
    retry.timer = setTimeout(() => {
      retry.timer = null;
      void this.resume(userId).catch((error: unknown) => this.logger.error(`user ${userId}: retry not started: ${describe(error)}`));
    }, delay);
    retry.timer.unref();
    this.retries.set(userId, retry);
  }

  private clearRetry(userId: string, resetAttempts: boolean): void {
    const retry = this.retries.get(userId);
    if (!retry) return;
    if (retry.timer) clearTimeout(retry.timer);
    retry.timer = null;
    if (resetAttempts) this.retries.delete(userId);
  }
}

function refusedDetail(refusal: { status: number; code: number | null; message: string }): string {
  return `PluralKit refused the switch (${refusal.status}${refusal.code ? `, code ${refusal.code}` : ''}): ${refusal.message}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
