import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession } from '@herald/readstore';
import { FOLLOW_EVENT_TYPES, type FollowEvent, type PresenceEvent } from '../domain/events';
import { initialPresenceState, presenceDecider } from '../domain/presence.decider';
import {
  FOLLOWERS_COLLECTION,
  FOLLOWING_COLLECTION,
  type FollowDocument,
  ONLINE_COLLECTION,
  type OnlineDocument,
  PRESENCE_COLLECTION,
  PRESENCE_DOCUMENT_ID,
  type PresenceDocument,
} from './presence.read-model';

const PRESENCE_STREAM_PREFIX = 'presence-';
const USER_STREAM_PREFIX = 'user-';

/**
 * The presence read models: each user's presence in their own scope (the decider's fold of their
 * stream, so reads show what decisions saw); the global set of users not offline, which a
 * restarted server re-arms its liveness checks from; and who follows whom, kept twice so that both
 * questions read one scope (whom a user follows, in the follower's; who follows a user, in the
 * followee's). One projection, so the log is followed once for all of them.
 */
@RegisterProjection()
@Injectable()
export class PresenceProjection implements Projection {
  readonly name = 'presence';
  readonly filter = {
    streamPrefixes: [PRESENCE_STREAM_PREFIX, USER_STREAM_PREFIX],
    eventTypes: ['PresenceChanged', 'PresencePrivacyChanged', ...FOLLOW_EVENT_TYPES],
  };
  readonly collections = [PRESENCE_COLLECTION, ONLINE_COLLECTION, FOLLOWING_COLLECTION, FOLLOWERS_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    if (recorded.streamId.startsWith(USER_STREAM_PREFIX)) return applyFollow(recorded, session);
    const userId = recorded.streamId.slice(PRESENCE_STREAM_PREFIX.length);
    const documents = session.forUser(userId).collection<PresenceDocument>(PRESENCE_COLLECTION);
    const current = (await documents.get(PRESENCE_DOCUMENT_ID))?.state ?? initialPresenceState();
    const state = presenceDecider.evolve(current, recorded as unknown as PresenceEvent);
    await documents.upsert({ id: PRESENCE_DOCUMENT_ID, state });
    // Only a change into or out of `offline` touches the set of users online.
    if (recorded.type !== 'PresenceChanged' || (current.status === 'offline') === (state.status === 'offline')) return;
    const online = session.global().collection<OnlineDocument>(ONLINE_COLLECTION);
    if (state.status === 'offline') await online.delete(userId);
    else await online.upsert({ id: userId, since: recorded.metadata.occurredAt });
  }
}

async function applyFollow(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
  const event = recorded as unknown as FollowEvent;
  const { followerId, followeeId } = event.data;
  const following = session.forUser(followerId).collection<FollowDocument>(FOLLOWING_COLLECTION);
  const followers = session.forUser(followeeId).collection<FollowDocument>(FOLLOWERS_COLLECTION);
  if (event.type === 'UserFollowed') {
    const since = recorded.metadata.occurredAt;
    await following.upsert({ id: followeeId, since });
    await followers.upsert({ id: followerId, since });
  } else {
    await following.delete(followeeId);
    await followers.delete(followerId);
  }
}
