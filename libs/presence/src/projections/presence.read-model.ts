import { Inject, Injectable } from '@nestjs/common';
import { type Document, type FindResult, READ_STORE, type ReadStore } from '@herald/readstore';
import { initialPresenceState, type PresenceState } from '../domain/presence.decider';
import type { PresenceSnapshot } from '../domain/privacy';
import { LEASE_COLLECTION, LEASE_DOCUMENT_ID, type LeaseDocument } from '../reactors/presence-leases';

/** User scope: one document, id `presence`, the fold of the user's presence stream. */
export const PRESENCE_COLLECTION = 'presence';
export const PRESENCE_DOCUMENT_ID = 'presence';
/** Global scope: one document per user not offline, id the user id. */
export const ONLINE_COLLECTION = 'presence_online';
/** User scope: whom the user follows, one document per followee (id the followee's id). */
export const FOLLOWING_COLLECTION = 'presence_following';
/** User scope: who follows the user, one document per follower (id the follower's id). */
export const FOLLOWERS_COLLECTION = 'presence_followers';

export interface PresenceDocument extends Document {
  state: PresenceState;
}

export interface OnlineDocument extends Document {
  /** ISO-8601: when the user last came online. */
  since: string;
}

export interface FollowDocument extends Document {
  /** ISO-8601: when the follow was made. */
  since: string;
}

const PAGE = 1000;

/** Reads of the presence read models, with `lastActiveAt` brought up to date from the leases. */
@Injectable()
export class PresenceReadModel {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  /** The user's presence before privacy rules; a user Herald never heard of is offline. */
  async snapshot(userId: string): Promise<PresenceSnapshot> {
    const scope = this.store.forUser(userId);
    const [document, lease] = await Promise.all([
      scope.collection<PresenceDocument>(PRESENCE_COLLECTION).get(PRESENCE_DOCUMENT_ID),
      scope.collection<LeaseDocument>(LEASE_COLLECTION).get(LEASE_DOCUMENT_ID),
    ]);
    const { status, message, daw, lastActiveAt, privacy } = document?.state ?? initialPresenceState();
    return { status, message, daw, privacy, lastActiveAt: laterTime(lastActiveAt, lease?.lastActiveAt ?? null) };
  }

  async snapshots(userIds: readonly string[]): Promise<Map<string, PresenceSnapshot>> {
    const snapshots = await Promise.all(userIds.map((userId) => this.snapshot(userId)));
    return new Map(userIds.map((userId, index) => [userId, snapshots[index]]));
  }

  /** Everyone the user follows. */
  async followeeIds(userId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of this.pages(this.store.forUser(userId).collection<FollowDocument>(FOLLOWING_COLLECTION))) {
      ids.push(...page.map((document) => document.id));
    }
    return ids;
  }

  /** One page of the user's followers, oldest follow first. */
  followers(userId: string, page: { limit?: number; cursor?: string }): Promise<FindResult<FollowDocument>> {
    return this.store
      .forUser(userId)
      .collection<FollowDocument>(FOLLOWERS_COLLECTION)
      .find({ sort: [['since', 1]], limit: page.limit ?? 100, cursor: page.cursor });
  }

  /** Every user not offline, as the projection last saw them. */
  async *onlineUserIds(): AsyncIterable<string> {
    for await (const page of this.pages(this.store.global().collection<OnlineDocument>(ONLINE_COLLECTION))) {
      for (const document of page) yield document.id;
    }
  }

  private async *pages<T extends Document>(collection: { find(options: { limit: number; cursor?: string }): Promise<FindResult<T>> }) {
    let cursor: string | undefined;
    do {
      const page = await collection.find({ limit: PAGE, cursor });
      yield page.items;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}

/** The later of a stored ISO time and a lease's epoch ms, as ISO-8601. */
function laterTime(iso: string | null, epochMs: number | null): string | null {
  if (epochMs === null) return iso;
  if (iso === null || epochMs > Date.parse(iso)) return new Date(epochMs).toISOString();
  return iso;
}
