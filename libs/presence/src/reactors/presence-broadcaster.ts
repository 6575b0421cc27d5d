import { Inject, Injectable } from '@nestjs/common';
import { foldEvents, type RecordedEvent, streams } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { HeraldMetrics } from '@herald/observability';
import type { FollowEvent } from '../domain/events';
import { followsDecider } from '../domain/follows.decider';
import type { PresenceView } from '../domain/privacy';

/** Someone connected to this process who receives the presence of the users they follow (a socket). */
export interface PresenceSubscriber {
  readonly userId: string;
  send(message: string): void;
}

/** One presence update as a socket receives it: one JSON text message. */
export interface PresenceMessage extends PresenceView {
  type: 'presence';
  userId: string;
}

interface Following {
  followees: Set<string>;
  /** Revision of the user stream the followees were read at; older follow events are already in. */
  revision: number;
  /** Follow events the feed delivered while the followees were being read. */
  queued: RecordedEvent[] | null;
  loaded: Promise<void>;
}

/**
 * Fans presence updates out to the subscribers connected to this process. It knows whom each
 * connected user follows (read from their stream when they connect, then kept current from the
 * log) and, the other way round, which connected users follow someone, so an update costs one
 * lookup and one send per follower here, never a walk over every socket.
 */
@Injectable()
export class PresenceBroadcaster {
  private readonly subscribers = new Map<string, Set<PresenceSubscriber>>();
  private readonly following = new Map<string, Following>();
  private readonly followersHere = new Map<string, Set<string>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: HeraldMetrics,
  ) {}

  /** Starts sending the subscriber the updates of everyone its user follows; resolves once they are known. */
  async attach(subscriber: PresenceSubscriber): Promise<void> {
    const { userId } = subscriber;
    let mine = this.subscribers.get(userId);
    if (!mine) {
      mine = new Set();
      this.subscribers.set(userId, mine);
    }
    mine.add(subscriber);
    let following = this.following.get(userId);
    if (!following) {
      following = { followees: new Set(), revision: -1, queued: [], loaded: Promise.resolve() };
      following.loaded = this.load(userId, following);
      this.following.set(userId, following);
    }
    await following.loaded;
  }

  /** Stops sending to the subscriber; returns how many of its user's subscribers remain here. */
  detach(subscriber: PresenceSubscriber): number {
    const { userId } = subscriber;
    const mine = this.subscribers.get(userId);
    if (!mine?.delete(subscriber)) return mine?.size ?? 0;
    if (mine.size > 0) return mine.size;
    this.subscribers.delete(userId);
    const following = this.following.get(userId);
    this.following.delete(userId);
    for (const followeeId of following?.followees ?? []) this.unindex(userId, followeeId);
    return 0;
  }

  /** Whether anyone connected here follows the user. */
  hasFollowersHere(userId: string): boolean {
    return this.followersHere.has(userId);
  }

  /** Sends the user's new presence, as followers may see it, to their followers here; returns the messages sent. */
  publish(userId: string, view: PresenceView): number {
    const followers = this.followersHere.get(userId);
    if (!followers) return 0;
    const message: PresenceMessage = { type: 'presence', userId, ...view };
    const text = JSON.stringify(message);
    let sent = 0;
    for (const followerId of followers) {
      for (const subscriber of this.subscribers.get(followerId) ?? []) {
        subscriber.send(text);
        sent += 1;
      }
    }
    this.metrics.presenceMessagesSent.inc(sent);
    return sent;
  }

  /** A follow or unfollow from the log, for a user who may be connected here. */
  applyFollowEvent(event: RecordedEvent): void {
    const { followerId } = (event as unknown as FollowEvent).data;
    const following = this.following.get(followerId);
    if (!following) return;
    if (following.queued) following.queued.push(event);
    else this.applyTo(following, event);
  }

  private async load(userId: string, following: Following): Promise<void> {
    try {
      const events = await this.store.readStream(streams.user(userId));
      const state = foldEvents(followsDecider, events as unknown as FollowEvent[]);
      // The user may have left while their stream was read.
      if (this.following.get(userId) !== following) return;
      following.revision = events.length === 0 ? -1 : events[events.length - 1].revision;
      for (const followeeId of state.followees) this.follow(following, userId, followeeId);
    } finally {
      const queued = following.queued ?? [];
      following.queued = null;
      if (this.following.get(userId) === following) for (const event of queued) this.applyTo(following, event);
    }
  }

  private applyTo(following: Following, recorded: RecordedEvent): void {
    if (recorded.revision <= following.revision) return;
    following.revision = recorded.revision;
    const event = recorded as unknown as FollowEvent;
    const { followerId, followeeId } = event.data;
    if (event.type === 'UserFollowed') this.follow(following, followerId, followeeId);
    else if (following.followees.delete(followeeId)) this.unindex(followerId, followeeId);
  }

  private follow(following: Following, followerId: string, followeeId: string): void {
    following.followees.add(followeeId);
    let followers = this.followersHere.get(followeeId);
    if (!followers) {
      followers = new Set();
      this.followersHere.set(followeeId, followers);
    }
    followers.add(followerId);
  }

  private unindex(followerId: string, followeeId: string): void {
    const followers = this.followersHere.get(followeeId);
    if (!followers) return;
    followers.delete(followerId);
    if (followers.size === 0) this.followersHere.delete(followeeId);
  }
}
