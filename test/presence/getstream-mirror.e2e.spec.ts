import { streams } from '@herald/core';
import fixtureRequest from '../fixtures/getstream/partial_update_request.json';
import { GetStreamFake } from '../fakes/getstream.fake';
import { waitFor } from '@herald/core/testing';
import { PresenceHarness, type PresenceUser, settle } from './presence-harness';

const API_KEY = 'herald-test-stream-key';
const API_SECRET = 'herald-test-stream-secret-0123456789';

describe('the GetStream mirror', () => {
  let stream: GetStreamFake;
  let harness: PresenceHarness;
  let userCount = 0;

  beforeAll(async () => {
    stream = await GetStreamFake.start({ apiKey: API_KEY, apiSecret: API_SECRET });
    harness = await PresenceHarness.start({
      env: { GETSTREAM_API_URL: stream.url, GETSTREAM_API_KEY: API_KEY, GETSTREAM_API_SECRET: API_SECRET, PRESENCE_DISCONNECT_GRACE_MS: '50' },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await stream?.stop();
  });

  /** A Herald user Stream also knows, under the same id. */
  async function newUser(): Promise<PresenceUser> {
    const user = await harness.user(`53000000000000${String(++userCount).padStart(4, '0')}`);
    stream.addUser(user.userId);
    return user;
  }

  const updatesFor = (user: PresenceUser) =>
    stream.requests.filter((r) => JSON.stringify(r.body).includes(user.userId)).map((r) => ({ status: r.status, body: r.body }));
  const mirrored = async (user: PresenceUser) =>
    (await harness.herald.eventStore.readStream(streams.presence(user.userId))).filter((e) => e.type === 'PresenceMirrored').map((e) => e.data.invisible);
  const privacy = (user: PresenceUser, showActivityStatus: boolean) =>
    harness.call('patch', '/api/v1/me/privacy', { token: user.token, body: { showActivityStatus } }).expect(200);

  it('sets invisible through the server-side partial update, authenticated with a server JWT the fake verifies', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'in_studio' });
    await waitFor('the first mirror', async () => (await mirrored(user)).length === 1);
    await privacy(user, false);
    await waitFor('the user to turn invisible', () => stream.user(user.userId)?.invisible === true);

    const hiding = stream.requests.at(-1)!;
    expect(hiding).toMatchObject({ method: 'PATCH', path: '/users', status: 200 });
    expect(hiding.query.get('api_key')).toBe(API_KEY);
    expect(hiding.headers['stream-auth-type']).toBe('jwt');
    expect(hiding.headers.authorization).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    // The fixture's request, for this user.
    expect(hiding.body).toEqual({ users: [{ ...fixtureRequest.users[0], id: user.userId }] });
    await waitFor('the outcome to be recorded', async () => (await mirrored(user)).length === 2);
    expect(await mirrored(user)).toEqual([false, true]);

    await privacy(user, true);
    await waitFor('the user to be visible again', () => stream.user(user.userId)?.invisible === false);
    expect(updatesFor(user).map((u) => u.body)).toEqual([false, true, false].map((invisible) => ({ users: [{ id: user.userId, set: { invisible } }] })));
  });

  it('makes a user invisible when their last socket closed and the grace passed', async () => {
    const user = await newUser();
    const socket = await harness.connect(user);
    await waitFor('the user to be mirrored visible', async () => (await mirrored(user)).length === 1);
    await socket.close();
    await waitFor('the user to turn invisible after the grace', () => stream.user(user.userId)?.invisible === true);
    expect(await harness.presenceEvents(user)).toMatchObject([{ reason: 'connect' }, { reason: 'disconnect', status: 'offline' }]);
  });

  it('sends nothing while a user only changes between visible statuses', async () => {
    const user = await newUser();
    await harness.setStatus(user, { status: 'online' });
    await waitFor('the user to be mirrored visible', async () => (await mirrored(user)).length === 1);
    await harness.setStatus(user, { status: 'away' });
    await harness.setStatus(user, { status: 'dnd', message: 'mixing' });
    await harness.setStatus(user, { status: 'in_studio', daw: 'Reaper' });
    await settle(200);
    expect(updatesFor(user)).toHaveLength(1);
  });

  it('waits out a 429 until the rate-limit window resets, then sends the same update again', async () => {
    const user = await newUser();
    stream.rateLimitNext(1, 1);
    await harness.setStatus(user, { status: 'online' });
    await waitFor('the update to go through', () => stream.user(user.userId)?.invisible === false && updatesFor(user).length === 2, 10_000);

    const [limited, retried] = stream.requests.filter((r) => JSON.stringify(r.body).includes(user.userId));
    expect([limited.status, retried.status]).toEqual([429, 200]);
    expect(retried.body).toEqual(limited.body);
    // Sent once the window named by X-Ratelimit-Reset (whole seconds) was over, not straight away.
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(400);
    await waitFor('the outcome to be recorded', async () => (await mirrored(user)).length === 1);
  });

  it('records a refusal as a failed mirror and leaves the presence alone', async () => {
    const user = await harness.user('539999999999999999'); // unknown to Stream
    await harness.setStatus(user, { status: 'online', message: 'not on Stream' });
    await waitFor('the refusal to be recorded', async () =>
      (await harness.herald.eventStore.readStream(streams.presence(user.userId))).some((e) => e.type === 'PresenceMirrorFailed'),
    );
    const events = await harness.herald.eventStore.readStream(streams.presence(user.userId));
    expect(events.find((e) => e.type === 'PresenceMirrorFailed')?.data).toMatchObject({ invisible: false, status: 400 });
    expect((await harness.presenceOf([user.userId]))[user.userId]).toMatchObject({ status: 'online', message: 'not on Stream' });
  });

  it('is off when Herald has no GetStream credentials', async () => {
    const unconfigured = await PresenceHarness.start({ env: { GETSTREAM_API_URL: stream.url } });
    try {
      const user = await unconfigured.user('530000000000009999');
      const before = stream.requests.length;
      await unconfigured.setStatus(user, { status: 'online' });
      await unconfigured.call('patch', '/api/v1/me/privacy', { token: user.token, body: { showActivityStatus: false } }).expect(200);
      await settle(300);
      expect(stream.requests.length).toBe(before);
    } finally {
      await unconfigured.close();
    }
  });
});
