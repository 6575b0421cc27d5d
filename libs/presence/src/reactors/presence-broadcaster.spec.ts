import type { RecordedEvent } from '@herald/core';
import type { EventStore } from '@herald/eventstore';
import { HeraldMetrics } from '@herald/observability';
import { PresenceBroadcaster, type PresenceSubscriber } from './presence-broadcaster';

const view = { status: 'online' as const, message: null, daw: null, lastActiveAt: null };

function followEvent(type: 'UserFollowed' | 'UserUnfollowed', followerId: string, followeeId: string, revision: number): RecordedEvent {
  return {
    id: `${followerId}-${revision}`,
    type,
    data: { followerId, followeeId },
    metadata: { source: 'rest', correlationId: 'c', occurredAt: '2025-01-01T00:00:00.000Z', schemaVersion: 1 },
    streamId: `user-${followerId}`,
    revision,
    position: revision + 1,
  };
}

/** An event store whose user streams are read only when the test lets them be. */
function storeWith(streams: Record<string, RecordedEvent[]>) {
  const reads: Array<() => void> = [];
  const store = {
    readStream: (streamId: string) =>
      new Promise<RecordedEvent[]>((resolve) => reads.push(() => resolve(streams[streamId] ?? []))),
  } as unknown as EventStore;
  return { store, releaseReads: () => reads.splice(0).forEach((release) => release()) };
}

function subscriber(userId: string): PresenceSubscriber & { received: string[] } {
  const received: string[] = [];
  return { userId, received, send: (message) => received.push(message) };
}

describe('PresenceBroadcaster', () => {
  it("sends a user's update to the subscribers of their followers only, once per socket", async () => {
    const { store, releaseReads } = storeWith({ 'user-bob': [followEvent('UserFollowed', 'bob', 'ann', 0)] });
    const broadcaster = new PresenceBroadcaster(store, new HeraldMetrics());
    const [bobPhone, bobLaptop, cai] = [subscriber('bob'), subscriber('bob'), subscriber('cai')];
    const attached = Promise.all([broadcaster.attach(bobPhone), broadcaster.attach(bobLaptop), broadcaster.attach(cai)]);
    releaseReads();
    await attached;

    expect(broadcaster.publish('ann', view)).toBe(2);
    expect(bobPhone.received.map((text) => JSON.parse(text))).toEqual([{ type: 'presence', userId: 'ann', ...view }]);
    expect(bobLaptop.received).toEqual(bobPhone.received);
    expect(cai.received).toEqual([]);
  });

  it('keeps follow changes that arrive while the follower’s stream is being read, and ignores those already read', async () => {
    const { store, releaseReads } = storeWith({
      'user-bob': [followEvent('UserFollowed', 'bob', 'ann', 0), followEvent('UserFollowed', 'bob', 'dee', 1)],
    });
    const broadcaster = new PresenceBroadcaster(store, new HeraldMetrics());
    const bob = subscriber('bob');
    const attached = broadcaster.attach(bob);
    // The feed delivers one event the read will also contain, and two that came after it.
    broadcaster.applyFollowEvent(followEvent('UserFollowed', 'bob', 'dee', 1));
    broadcaster.applyFollowEvent(followEvent('UserUnfollowed', 'bob', 'ann', 2));
    broadcaster.applyFollowEvent(followEvent('UserFollowed', 'bob', 'eve', 3));
    releaseReads();
    await attached;

    expect(['ann', 'dee', 'eve'].filter((userId) => broadcaster.hasFollowersHere(userId))).toEqual(['dee', 'eve']);
  });

  it('forgets a follower once their last subscriber leaves', async () => {
    const { store, releaseReads } = storeWith({ 'user-bob': [followEvent('UserFollowed', 'bob', 'ann', 0)] });
    const broadcaster = new PresenceBroadcaster(store, new HeraldMetrics());
    const [first, second] = [subscriber('bob'), subscriber('bob')];
    const attached = Promise.all([broadcaster.attach(first), broadcaster.attach(second)]);
    releaseReads();
    await attached;

    expect(broadcaster.detach(first)).toBe(1);
    expect(broadcaster.hasFollowersHere('ann')).toBe(true);
    expect(broadcaster.detach(second)).toBe(0);
    expect(broadcaster.hasFollowersHere('ann')).toBe(false);
    expect(broadcaster.publish('ann', view)).toBe(0);
  });
});
