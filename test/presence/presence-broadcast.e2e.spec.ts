import { waitFor } from '@herald/core/testing';
import { type PresenceHarness as Harness, PresenceHarness, type PresenceUser, settle } from './presence-harness';

describe('presence over WebSockets: who receives what', () => {
  let harness: Harness;
  let ann: PresenceUser; // changes her status
  let bob: PresenceUser; // follows Ann
  let cai: PresenceUser; // follows nobody
  let dee: PresenceUser; // hides her activity status; Bob follows her

  beforeAll(async () => {
    harness = await PresenceHarness.start();
    [ann, bob, cai, dee] = await Promise.all(['501', '502', '503', '504'].map((id) => harness.user(`500000000000000${id}`)));
    await harness.follow(bob, ann);
    await harness.follow(bob, dee);
    await harness.call('patch', '/api/v1/me/privacy', { token: dee.token, body: { showActivityStatus: false } }).expect(200);
  });
  afterAll(() => harness?.close());

  it("sends a follower each change of status, message and DAW, and a non-follower nothing", async () => {
    const bobSocket = await harness.connect(bob);
    const caiSocket = await harness.connect(cai);

    await harness.setStatus(ann, { status: 'in_studio', message: 'tracking vocals', daw: 'Ableton Live' });
    await harness.setStatus(ann, { status: 'in_studio', message: 'tracking vocals', daw: 'Bitwig Studio' });
    await harness.setStatus(ann, { status: 'online' });

    await waitFor('three updates about Ann', () => bobSocket.about(ann.userId).length >= 3);
    expect(bobSocket.about(ann.userId)).toEqual([
      { type: 'presence', userId: ann.userId, status: 'in_studio', message: 'tracking vocals', daw: 'Ableton Live', lastActiveAt: expect.any(String) },
      { type: 'presence', userId: ann.userId, status: 'in_studio', message: 'tracking vocals', daw: 'Bitwig Studio', lastActiveAt: expect.any(String) },
      { type: 'presence', userId: ann.userId, status: 'online', message: null, daw: null, lastActiveAt: expect.any(String) },
    ]);
    await settle();
    expect(caiSocket.about(ann.userId)).toEqual([]);
    expect(bobSocket.about(ann.userId)).toHaveLength(3);
  });

  it('takes a status change over the socket as over REST: answered with the presence, logged, sent to followers', async () => {
    const bobSocket = await harness.connect(bob);
    const annSocket = await harness.connect(ann);
    const before = (await harness.presenceEvents(ann)).length;

    annSocket.send(JSON.stringify({ type: 'status', requestId: 'set-1', status: 'in_studio', message: 'mixing', daw: 'Reaper' }));
    await waitFor('the first answer', () => annSocket.messages.some((m) => m.type === 'status-set'));
    annSocket.send(JSON.stringify({ type: 'status', status: 'away' }));

    await waitFor('both answers', () => annSocket.messages.filter((m) => m.type === 'status-set').length === 2);
    expect(annSocket.messages.filter((m) => m.type === 'status-set')).toEqual([
      { type: 'status-set', requestId: 'set-1', userId: ann.userId, status: 'in_studio', message: 'mixing', daw: 'Reaper', lastActiveAt: expect.any(String) },
      { type: 'status-set', userId: ann.userId, status: 'away', message: null, daw: null, lastActiveAt: expect.any(String) },
    ]);
    await waitFor('two updates about Ann', () => bobSocket.about(ann.userId).length >= 2);
    expect(bobSocket.about(ann.userId).map((m) => [m.status, m.message, m.daw])).toEqual([
      ['in_studio', 'mixing', 'Reaper'],
      ['away', null, null],
    ]);
    const logged = (await harness.presenceEvents(ann)).slice(before);
    expect(logged.map((e) => [e.status, e.message, e.daw, e.reason])).toEqual([
      ['in_studio', 'mixing', 'Reaper', 'manual'],
      ['away', null, null, 'manual'],
    ]);
    await annSocket.close();
    await bobSocket.close();
  });

  it("sends a hidden user's followers nothing, while the user sees their own status", async () => {
    const bobSocket = await harness.connect(bob);
    await harness.setStatus(dee, { status: 'in_studio', message: 'secret session', daw: 'Logic Pro' });
    await harness.setStatus(dee, { status: 'dnd' });
    const deeSocket = await harness.connect(dee);
    await harness.setStatus(dee, { status: 'away' });
    await settle();

    expect(bobSocket.about(dee.userId)).toEqual([]);
    expect(deeSocket.about(dee.userId)).toEqual([]);
    expect((await harness.presenceEvents(dee)).map((e) => e.status)).toEqual(['in_studio', 'dnd', 'away']);
  });

  it('sends followers one last offline when a user hides, and the real status when they show again', async () => {
    const bobSocket = await harness.connect(bob);
    await harness.setStatus(ann, { status: 'away', message: 'lunch' });
    await waitFor('the away update', () => bobSocket.about(ann.userId).length === 1);

    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showActivityStatus: false } }).expect(200);
    await waitFor('the last offline', () => bobSocket.about(ann.userId).length === 2);
    await harness.setStatus(ann, { status: 'dnd' });
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showActivityStatus: true } }).expect(200);
    await waitFor('the real status again', () => bobSocket.about(ann.userId).length === 3);

    expect(bobSocket.about(ann.userId).map(({ status, message }) => ({ status, message }))).toEqual([
      { status: 'away', message: 'lunch' },
      { status: 'offline', message: null },
      { status: 'dnd', message: null },
    ]);
  });

  it('hides lastActiveAt from followers of a user who hides it', async () => {
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showLastActive: false } }).expect(200);
    const bobSocket = await harness.connect(bob);
    await harness.setStatus(ann, { status: 'online', message: 'back' });
    await waitFor('an update', () => bobSocket.about(ann.userId).length === 1);
    expect(bobSocket.about(ann.userId)[0]).toMatchObject({ status: 'online', message: 'back', lastActiveAt: null });
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showLastActive: true } }).expect(200);
  });

  it('stops sending once the follower unfollows, and starts again when they follow', async () => {
    const bobSocket = await harness.connect(bob);
    await harness.call('delete', `/api/v1/me/follows/${ann.userId}`, { token: bob.token }).expect(204);
    await harness.setStatus(ann, { status: 'away', message: 'after unfollow' });
    await harness.follow(bob, ann);
    await harness.setStatus(ann, { status: 'in_studio', message: 'after follow' });
    await waitFor('the update after the follow', () => bobSocket.about(ann.userId).length === 1);
    await settle();
    expect(bobSocket.about(ann.userId).map((m) => m.message)).toEqual(['after follow']);
  });

  it('answers status queries by the rules for every viewer: the user, a follower, a stranger, the operator', async () => {
    await harness.setStatus(dee, { status: 'in_studio', message: 'still secret', daw: 'Reaper' });
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showLastActive: false } }).expect(200);
    await harness.setStatus(ann, { status: 'in_studio', message: 'mixing', daw: 'Pro Tools' });
    const hidden = { status: 'offline', message: null, daw: null, lastActiveAt: null };

    expect((await harness.presenceOf([dee.userId], dee))[dee.userId]).toEqual({ status: 'in_studio', message: 'still secret', daw: 'Reaper', lastActiveAt: expect.any(String) });
    for (const viewer of [bob, cai, undefined]) {
      const seen = await harness.presenceOf([ann.userId, dee.userId], viewer);
      expect(seen[dee.userId]).toEqual(hidden);
      expect(seen[ann.userId]).toEqual({ status: 'in_studio', message: 'mixing', daw: 'Pro Tools', lastActiveAt: null });
    }
    expect((await harness.presenceOf([ann.userId], ann))[ann.userId].lastActiveAt).toEqual(expect.any(String));

    const following = await harness.call('get', '/api/v1/presence/following', { token: bob.token }).expect(200);
    expect(following.body.users).toEqual([
      { userId: ann.userId, status: 'in_studio', message: 'mixing', daw: 'Pro Tools', lastActiveAt: null },
      { userId: dee.userId, ...hidden },
    ]);
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showLastActive: true } }).expect(200);
  });

  it('lists a user\'s followers to the user and the operator only', async () => {
    const own = await harness.call('get', `/api/v1/users/${ann.userId}/followers`, { token: ann.token }).expect(200);
    expect(own.body).toEqual({ items: [{ userId: bob.userId, since: expect.any(String) }] });
    await harness.call('get', `/api/v1/users/${ann.userId}/followers`).expect(200);
    await harness.call('get', `/api/v1/users/${ann.userId}/followers`, { token: bob.token }).expect(403);
  });

  it('lists the people followed with those in the studio first', async () => {
    const eve = await harness.user('500000000000000505');
    await harness.follow(cai, eve);
    await harness.follow(cai, ann);
    await harness.setStatus(eve, { status: 'in_studio' });
    await harness.setStatus(ann, { status: 'away' });
    await harness.caughtUp();
    const following = await harness.call('get', '/api/v1/presence/following', { token: cai.token }).expect(200);
    expect(following.body.users.map((u: { userId: string; status: string }) => [u.userId, u.status])).toEqual([
      [eve.userId, 'in_studio'],
      [ann.userId, 'away'],
    ]);
  });
});
