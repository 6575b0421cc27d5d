import { ManualClock } from '@herald/core';
import { waitFor } from '@herald/core/testing';
import { MINUTE, PresenceHarness, type PresenceUser, settle } from './presence-harness';

const GRACE_MS = 10_000;

describe('presence liveness: heartbeats, timeouts and the disconnect grace, on an injected clock', () => {
  const clock = new ManualClock('2025-06-01T12:00:00.000Z');
  let harness: PresenceHarness;
  let userCount = 0;

  beforeAll(async () => {
    harness = await PresenceHarness.start({ clock, env: { PRESENCE_DISCONNECT_GRACE_MS: String(GRACE_MS) } });
  });
  afterAll(() => harness?.close());

  const newUser = () => harness.user(`51000000000000${String(++userCount).padStart(4, '0')}`);
  const reasons = async (user: PresenceUser) => (await harness.presenceEvents(user)).map((e) => `${e.reason}:${e.status}`);
  /** Moves the clock and lets a few check intervals pass. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await settle(100);
  };

  it('takes a user with no heartbeat offline no earlier than 5 minutes after the last one, and within 10 s of it', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'in_studio', daw: 'Ableton Live' });
    const lastActivity = clock.now().getTime();
    await advance(4 * MINUTE);
    await harness.heartbeat(user);
    const deadline = clock.now().getTime() + 5 * MINUTE;

    await advance(5 * MINUTE - 1_000);
    expect(await reasons(user)).toEqual(['manual:in_studio']);
    // Step through the deadline a second at a time, as a real clock would pass it.
    while ((await reasons(user)).length === 1 && clock.now().getTime() < deadline + 20_000) await advance(1_000);

    const events = await harness.presenceEvents(user);
    expect(events.map((e) => `${e.reason}:${e.status}`)).toEqual(['manual:in_studio', 'timeout:offline']);
    expect(events[1].lastActiveAt).toBe(new Date(deadline - 5 * MINUTE).toISOString());
    const wentOfflineAt = (await harness.herald.eventStore.readStream(`presence-${user.userId}`))[1].metadata.occurredAt;
    const lateBy = Date.parse(wentOfflineAt) - deadline;
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThanOrEqual(10_000);
    expect(lastActivity).toBeLessThan(deadline);
  });

  it('keeps the chosen status through heartbeats, and records no event for them', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'dnd', message: 'mixing' });
    const head = await harness.headPosition();
    for (let i = 0; i < 8; i += 1) {
      await advance(4 * MINUTE);
      await harness.heartbeat(user);
    }
    expect(await harness.headPosition()).toBe(head);
    expect((await harness.presenceOf([user.userId]))[user.userId]).toMatchObject({ status: 'dnd', message: 'mixing' });
  });

  it('brings the chosen status back when a heartbeat comes after the timeout', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'in_studio', daw: 'Logic Pro' });
    await advance(5 * MINUTE + 5_000);
    await waitFor('the timeout', async () => (await reasons(user)).length === 2);
    await harness.heartbeat(user);
    expect(await reasons(user)).toEqual(['manual:in_studio', 'timeout:offline', 'connect:in_studio']);
    expect((await harness.presenceOf([user.userId]))[user.userId]).toMatchObject({ status: 'in_studio', daw: 'Logic Pro' });
  });

  it('keeps a user online while a socket is open, however long, and without heartbeats', async () => {
    const user = await newUser();
    const socket = await harness.connect(user);
    await advance(30 * MINUTE);
    expect(await reasons(user)).toEqual(['connect:online']);
    await socket.close();
  });

  it('causes no offline event when the socket reconnects within the grace period', async () => {
    const user = await newUser();
    const first = await harness.connect(user);
    await first.close();
    await advance(GRACE_MS / 2);
    const second = await harness.connect(user);
    await advance(GRACE_MS * 3);
    expect(await reasons(user)).toEqual(['connect:online']);

    await second.close();
    await advance(GRACE_MS - 1_000);
    expect(await reasons(user)).toEqual(['connect:online']);
    await advance(3_000);
    await waitFor('the disconnect', async () => (await reasons(user)).length === 2);
    expect(await reasons(user)).toEqual(['connect:online', 'disconnect:offline']);
  });

  it('holds a user whose socket closed while their heartbeat lease runs, then times them out', async () => {
    const user = await newUser();
    const socket = await harness.connect(user);
    await harness.heartbeat(user);
    await socket.close();
    await advance(GRACE_MS * 2);
    expect(await reasons(user)).toEqual(['connect:online']);
    await advance(5 * MINUTE);
    await waitFor('the timeout', async () => (await reasons(user)).length === 2);
    expect(await reasons(user)).toEqual(['connect:online', 'timeout:offline']);
  });

  it('counts a heartbeat message on the socket as a heartbeat, and any message as activity', async () => {
    const user = await newUser();
    const socket = await harness.connect(user);
    await advance(MINUTE);
    socket.send('{"type":"heartbeat"}');
    await advance(0);
    await advance(MINUTE);
    socket.send('anything at all');
    const activeAt = clock.now().toISOString();
    await waitFor('lastActiveAt to move', async () => (await harness.presenceOf([user.userId], user))[user.userId].lastActiveAt === activeAt);

    await socket.close();
    await advance(GRACE_MS * 2);
    // The heartbeat holds the user for 5 minutes after it was sent, past the socket's grace.
    expect(await reasons(user)).toEqual(['connect:online']);
    await advance(4 * MINUTE);
    await waitFor('the timeout', async () => (await reasons(user)).length === 2);
    expect(await reasons(user)).toEqual(['connect:online', 'timeout:offline']);
  });

  it('leaves a user who chose offline offline while their sockets come and go', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'offline' });
    const socket = await harness.connect(user);
    await harness.heartbeat(user);
    await socket.close();
    await advance(6 * MINUTE);
    expect(await reasons(user)).toEqual(['manual:offline']);
  });
});
