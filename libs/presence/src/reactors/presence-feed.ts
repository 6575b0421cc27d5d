import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig, type RecordedEvent } from '@herald/core';
import { EVENT_STORE, type EventStore, type EventSubscription } from '@herald/eventstore';
import { PresenceStates } from '../commands/presence-states';
import type { PresenceChanged } from '../domain/events';
import { followerUpdate } from '../domain/privacy';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';
import { LivenessMonitor } from './liveness-monitor';
import { PresenceBroadcaster } from './presence-broadcaster';

const PRESENCE_STREAM_PREFIX = 'presence-';
const USER_STREAM_PREFIX = 'user-';
const RESUBSCRIBE_DELAY_MS = 1_000;

/**
 * Follows the log live from start-up and turns it into socket messages: a presence change or a
 * privacy change goes to the user's followers connected here when what they may see changed, and
 * follows and unfollows reach the broadcaster. Driven by the log rather than by the request that
 * made the change, so a change made through another Herald process reaches sockets here as well,
 * in the log's order, which is each user's decision order.
 */
@Injectable()
export class PresenceFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PresenceFeed');
  private subscription: EventSubscription | null = null;
  private following: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: PresenceStates,
    private readonly broadcaster: PresenceBroadcaster,
    private readonly monitor: LivenessMonitor,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.run) return;
    // Past changes are not sent again: a socket asks the REST API for the current state.
    const head = (await this.store.headPosition()) ?? 0;
    this.following = this.follow(head);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.following;
  }

  private async follow(after: number): Promise<void> {
    while (!this.stopped) {
      try {
        this.subscription = this.store.subscribeToAll({
          afterPosition: after,
          filter: {
            streamPrefixes: [PRESENCE_STREAM_PREFIX, USER_STREAM_PREFIX],
            eventTypes: ['PresenceChanged', 'PresencePrivacyChanged', 'UserFollowed', 'UserUnfollowed'],
          },
        });
        for await (const batch of this.subscription) {
          for (const event of batch) {
            await this.dispatch(event);
            after = event.position;
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.error(`following the log failed, again in ${RESUBSCRIBE_DELAY_MS} ms: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBE_DELAY_MS));
      }
    }
  }

  private async dispatch(event: RecordedEvent): Promise<void> {
    if (event.streamId.startsWith(USER_STREAM_PREFIX)) {
      this.broadcaster.applyFollowEvent(event);
      return;
    }
    const userId = event.streamId.slice(PRESENCE_STREAM_PREFIX.length);
    const step = await this.states.advance(event, this.broadcaster.hasFollowersHere(userId));
    if (step) {
      const view = followerUpdate(step.before, step.after);
      if (view) this.broadcaster.publish(userId, view);
    }
    // A user online through another process is checked here too, in case that process dies.
    if (event.type === 'PresenceChanged' && (event as unknown as PresenceChanged).data.status !== 'offline') {
      this.monitor.checkAfter(userId, this.clock.now().getTime() + this.config.presence.timeoutMs);
    }
  }
}
