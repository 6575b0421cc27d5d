import { sleep, waitFor } from '@herald/core/testing';
import { FrontingHarness, type FrontingUser, randomToken, SP } from './fronting-harness';

const SETTLE_MS = 400;

describe('the SimplyPlural watcher survives drops and outages without losing or doubling a switch', () => {
  let harness: FrontingHarness;

  beforeAll(async () => {
    harness = await FrontingHarness.start();
  });
  afterAll(() => harness?.close());

  async function enabledAndInSync(userId: string): Promise<FrontingUser> {
    const user = await harness.user(userId);
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    await waitFor('the socket is authenticated', () => harness.simplyPlural.authenticatedSocketCount(user.simplyPluralToken) === 1);
    return user;
  }

  it('keeps the socket alive with pings', async () => {
    const user = await enabledAndInSync('500000000000000001');
    const pings = harness.simplyPlural.socketStats.pings;
    await waitFor('pings are sent', () => harness.simplyPlural.socketStats.pings >= pings + 2, 2_000);
    expect(harness.simplyPlural.authenticatedSocketCount(user.simplyPluralToken)).toBe(1);
  });

  it('reconnects after the websocket drops and catches up with a change made while it was down', async () => {
    const user = await enabledAndInSync('500000000000000002');
    const authenticated = harness.simplyPlural.socketStats.authenticated;

    harness.simplyPlural.dropAllSockets();
    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.bob]);

    await waitFor('the change is posted', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2);
    await sleep(SETTLE_MS);
    expect(harness.simplyPlural.socketStats.authenticated).toBeGreaterThan(authenticated);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['fghijk']]);
    expect(harness.pluralKit.currentFronters(user.pluralKitToken)).toEqual(['fghijk']);
  });

  it('waits out a SimplyPlural outage, then reads the current fronters and posts them once', async () => {
    const user = await enabledAndInSync('500000000000000003');

    harness.simplyPlural.setOutage(true);
    try {
      harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.alice, SP.claire]);
      await sleep(SETTLE_MS);
      harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.alice]);
      await sleep(SETTLE_MS);
      expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
      expect(harness.simplyPlural.authenticatedSocketCount(user.simplyPluralToken)).toBe(0);
    } finally {
      harness.simplyPlural.clearFaults();
    }

    await waitFor('the change is posted', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2, 10_000);
    await sleep(SETTLE_MS);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['abcde']]);
    expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'running', lastOperationError: null });
  });

  it('retries a re-read that failed while the socket stayed up', async () => {
    const user = await enabledAndInSync('500000000000000004');
    harness.simplyPlural.failRequests(500, 4);
    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.alice, SP.bob, SP.eli]);
    await sleep(50);
    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.bob]);

    await waitFor('the change is posted', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2, 10_000);
    await sleep(SETTLE_MS);
    expect(harness.simplyPlural.count({ status: 500 })).toBeGreaterThanOrEqual(4);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['fghijk']]);
  });

  it('rests after SimplyPlural refuses the token instead of reconnecting in a loop, and resumes with a new token', async () => {
    const user = await enabledAndInSync('500000000000000005');
    const failures = harness.simplyPlural.socketStats.authenticationFailures;

    harness.simplyPlural.revokeToken(user.simplyPluralToken);
    harness.simplyPlural.dropAllSockets();
    await waitFor('the rejection is recorded', async () => (await harness.eventsOf(user, 'TokenRejected')).length === 1);
    expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'error', lastOperationError: 'SimplyPlural rejected the token' });
    await sleep(SETTLE_MS);
    expect(harness.simplyPlural.socketStats.authenticationFailures).toBe(failures + 1);
    expect(await harness.eventsOf(user, 'TokenRejected')).toHaveLength(1);

    const replacement = randomToken();
    harness.simplyPlural.addSystem(replacement, { fronters: harness.simplyPlural.frontersOf(user.simplyPluralToken) });
    harness.simplyPlural.setFronters(replacement, [SP.alice]);
    await harness.call('patch', '/api/v1/me/fronting', { token: user.apiToken, body: { simplyPluralToken: replacement } }).expect(200);

    await waitFor('the new fronters are posted', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['abcde']]);
    expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'running', lastOperationError: null });
    expect(harness.simplyPlural.socketStats.authenticationFailures).toBe(failures + 1);
  });
});
