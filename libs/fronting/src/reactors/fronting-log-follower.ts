import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { EVENT_STORE, type EventStore, type EventSubscription } from '@herald/eventstore';
import type { FrontingEvent } from '../domain/events';
import { PluralKitSwitchPoster } from './pluralkit-switch-poster';
import { SimplyPluralWatchers } from './simplyplural-watchers';

export interface FrontingModuleOptions {
  /** The server runs the watchers and the switch poster; the CLI builds the module without them. */
  run: boolean;
}

export const FRONTING_OPTIONS = Symbol('FRONTING_OPTIONS');

const SYSTEM_STREAM_PREFIX = 'system-';
const FOLLOWED: ReadonlyArray<FrontingEvent['type']> = ['FrontingSettingsChanged', 'FrontersObserved'];
const RESUBSCRIBE_DELAY_MS = 1_000;

/**
 * Drives the fronting updater from the log. At start-up every system that ever had fronting
 * settings gets its watcher reconciled and any unanswered observation resumed; from then on,
 * settings changes reconcile watchers and `FrontersObserved` feeds the switch poster. Both are
 * idempotent, so an event seen by the start-up scan and by the subscription is harmless.
 */
@Injectable()
export class FrontingLogFollower implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FrontingUpdater');
  private subscription: EventSubscription | null = null;
  private following: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly watchers: SimplyPluralWatchers,
    private readonly poster: PluralKitSwitchPoster,
    @Inject(FRONTING_OPTIONS) private readonly options: FrontingModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.run) return;
    this.following = this.follow();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.following;
    await Promise.all([this.watchers.stopAll(), this.poster.stop()]);
  }

  private async follow(): Promise<void> {
    let after: number | null = null;
    while (!this.stopped) {
      try {
        if (after === null) after = await this.catchUp();
        this.subscription = this.store.subscribeToAll({
          afterPosition: after ?? undefined,
          filter: { streamPrefixes: [SYSTEM_STREAM_PREFIX], eventTypes: [...FOLLOWED] },
        });
        for await (const batch of this.subscription) {
          for (const event of batch) {
            this.dispatch(event);
            after = event.position;
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.error(`following the log failed, again in ${RESUBSCRIBE_DELAY_MS} ms: ${describe(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBE_DELAY_MS));
      }
    }
  }

  /** Reconciles every system with fronting settings; returns the log position to follow from (0 for an empty log). */
  private async catchUp(): Promise<number> {
    const head = (await this.store.headPosition()) ?? 0;
    const userIds = new Set<string>();
    for await (const page of this.store.scanAll({
      filter: { streamPrefixes: [SYSTEM_STREAM_PREFIX], eventTypes: ['FrontingSettingsChanged'] },
    })) {
      for (const event of page) userIds.add(userIdOf(event));
    }
    for (const userId of userIds) {
      if (this.stopped) break;
      await this.watchers.reconcile(userId, { reread: false });
      await this.poster.resume(userId);
    }
    if (userIds.size > 0) this.logger.log(`fronting updater started for ${userIds.size} systems`);
    return head;
  }

  private dispatch(event: RecordedEvent): void {
    const userId = userIdOf(event);
    if (event.type === 'FrontingSettingsChanged') void this.watchers.reconcile(userId, { reread: true });
    else if (event.type === 'FrontersObserved') this.poster.enqueue(userId, event.position, Date.parse(event.metadata.occurredAt));
  }
}

function userIdOf(event: RecordedEvent): string {
  return event.streamId.slice(SYSTEM_STREAM_PREFIX.length);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
