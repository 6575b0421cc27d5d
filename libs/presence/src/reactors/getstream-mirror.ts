import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { newCorrelationId, type RecordedEvent } from '@herald/core';
import { EVENT_STORE, type EventStore, type EventSubscription } from '@herald/eventstore';
import { UpstreamMalformed, UpstreamUnavailable } from '@herald/http-client';
import { HeraldMetrics } from '@herald/observability';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { GetStreamClient, MAX_USERS_PER_UPDATE, type VisibilityOutcome, type VisibilityUpdate } from '../clients/getstream.client';
import { PresenceStates } from '../commands/presence-states';
import type { PresenceChanged } from '../domain/events';
import { invisibleOnGetStream } from '../domain/privacy';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';

/** The mirror's place in the log, kept in the read store like a projection's. */
export const GETSTREAM_MIRROR_CHECKPOINT = 'getstream-mirror';
const PRESENCE_STREAM_PREFIX = 'presence-';
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Mirrors who should look offline into GetStream Chat: `invisible` is true while a user is offline
 * or hides their activity status. It follows the log from its checkpoint, and for the users a
 * batch touched compares what they should be (from their stream) with what GetStream was last told
 * (`PresenceMirrored` on the same stream), so a redelivered batch or a second Herald process sends
 * nothing twice in effect (setting the same value is idempotent) and records it once. GetStream is
 * never the source of truth: a failure is logged and retried, and never touches the presence.
 */
@Injectable()
export class GetStreamMirror implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('GetStreamMirror');
  private subscription: EventSubscription | null = null;
  private following: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly client: GetStreamClient,
    private readonly states: PresenceStates,
    private readonly metrics: HeraldMetrics,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.run) return;
    if (!this.client.configured) {
      this.logger.log('GetStream mirror off: set GETSTREAM_API_KEY and GETSTREAM_API_SECRET to turn it on');
      return;
    }
    this.following = this.follow();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.subscription?.close();
    await this.following;
  }

  private async follow(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      try {
        const after = (await this.readStore.getCheckpoint(GETSTREAM_MIRROR_CHECKPOINT)) ?? 0;
        this.subscription = this.store.subscribeToAll({
          afterPosition: after,
          filter: { streamPrefixes: [PRESENCE_STREAM_PREFIX], eventTypes: ['PresenceChanged', 'PresencePrivacyChanged'] },
        });
        for await (const batch of this.subscription) {
          await this.reconcile(batch);
          if (this.stopped) return;
          await this.readStore.setCheckpoint(GETSTREAM_MIRROR_CHECKPOINT, batch[batch.length - 1].position);
          retryMs = FIRST_RETRY_MS;
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.error(`following the log failed, again in ${retryMs} ms: ${describe(error)}`);
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  /** Brings GetStream in line for every user of the batch whose visibility may have changed. */
  private async reconcile(batch: RecordedEvent[]): Promise<void> {
    const userIds = new Set(batch.filter(mayChangeVisibility).map((event) => event.streamId.slice(PRESENCE_STREAM_PREFIX.length)));
    const pending: VisibilityUpdate[] = [];
    for (const userId of userIds) {
      const state = await this.states.current(userId);
      const invisible = invisibleOnGetStream(state);
      if (state.mirroredInvisible !== invisible) pending.push({ userId, invisible });
    }
    for (let i = 0; i < pending.length && !this.stopped; i += MAX_USERS_PER_UPDATE) {
      await this.send(pending.slice(i, i + MAX_USERS_PER_UPDATE));
    }
  }

  /** Sends one partial update until GetStream answers it; waits out 429s and outages. */
  private async send(updates: VisibilityUpdate[]): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      try {
        const result = await this.client.setVisibility(updates);
        if (result.kind === 'answered') {
          for (const outcome of result.outcomes) await this.record(outcome);
          return;
        }
        this.metrics.getstreamMirror.inc({ outcome: 'rate_limited' }, updates.length);
        this.logger.warn(`GetStream rate limit reached; ${updates.length} users wait ${result.retryAfterMs} ms`);
        await this.sleep(result.retryAfterMs);
      } catch (error) {
        if (!(error instanceof UpstreamUnavailable || error instanceof UpstreamMalformed)) throw error;
        this.logger.warn(`GetStream did not answer; ${updates.length} users tried again in ${retryMs} ms: ${error.message}`);
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  private async record(outcome: VisibilityOutcome): Promise<void> {
    const { userId, invisible } = outcome;
    this.metrics.getstreamMirror.inc({ outcome: outcome.outcome });
    if (outcome.outcome === 'failed') this.logger.warn(`user ${userId}: ${outcome.detail}`);
    await this.states.run(
      userId,
      {
        type: 'RecordPresenceMirror',
        invisible,
        ...(outcome.outcome === 'failed' ? { failure: { status: outcome.status, detail: outcome.detail } } : {}),
      },
      { source: 'system', correlationId: newCorrelationId() },
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wake;
    });
  }
}

/** Only a change into or out of `offline`, or a privacy change, can flip `invisible`. */
function mayChangeVisibility(event: RecordedEvent): boolean {
  if (event.type !== 'PresenceChanged') return true;
  const { status, previousStatus } = (event as unknown as PresenceChanged).data;
  return (status === 'offline') !== (previousStatus === 'offline');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
