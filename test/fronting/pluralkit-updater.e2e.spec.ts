import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep, waitFor } from '@herald/core/testing';
import { FrontingHarness, SP } from './fronting-harness';

/** Long enough for a trigger, a debounced read, the coalescing window and a post to have happened. */
const SETTLE_MS = 400;

describe('the PluralKit updater posts one switch per change of linked fronters', () => {
  let harness: FrontingHarness;

  beforeAll(async () => {
    harness = await FrontingHarness.start();
  });
  afterAll(() => harness?.close());

  it('posts exactly one switch ["abcde", "fghijk"] for the fixture fronters and shows it in the updater status', async () => {
    const user = await harness.user('300000000000000001');
    expect((await harness.updaters(user)).pluralkit).toEqual({ status: 'disabled', lastOperationError: null, lastSwitchAt: null });

    await harness.enable(user);
    await waitFor('the switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    await sleep(SETTLE_MS);

    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
    const latest = harness.pluralKit.switchesOf(user.pluralKitToken)[0];
    expect(latest.members).toEqual(['abcde', 'fghijk']);
    expect(await harness.eventTypes(user)).toEqual(['FrontingSettingsChanged', 'FrontersObserved', 'SwitchPosted']);
    const [posted] = await harness.eventsOf(user, 'SwitchPosted');
    const [observed] = await harness.eventsOf(user, 'FrontersObserved');
    expect(posted.data).toEqual({ switchId: latest.id, pluralKitIds: ['abcde', 'fghijk'], timestamp: latest.timestamp, observedPosition: observed.position });
    expect((await harness.updaters(user)).pluralkit).toEqual({ status: 'running', lastOperationError: null, lastSwitchAt: latest.timestamp });
  });

  it('posts nothing when a re-read finds the same fronters, or other fronters with the same PluralKit members', async () => {
    const user = await harness.user('300000000000000002');
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);

    // A notification triggers a re-read that finds the same fronters: no event, no request to PluralKit.
    const reads = harness.frontersReads(user);
    const pluralKitCalls = harness.pluralKitRequests(user);
    harness.simplyPlural.push(user.simplyPluralToken, { msg: 'notification', title: 'Hello', message: 'nothing changed' });
    await waitFor('SimplyPlural is read again', () => harness.frontersReads(user) > reads);
    await sleep(SETTLE_MS);
    expect(await harness.eventsOf(user, 'FrontersObserved')).toHaveLength(1);
    expect(harness.pluralKitRequests(user)).toBe(pluralKitCalls);

    // Claire (no pkId) leaves: SimplyPlural's fronters changed, PluralKit's did not.
    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.alice, SP.blurry, SP.bob, SP.dana]);
    await waitFor('the change is observed', async () => (await harness.eventsOf(user, 'FrontersObserved')).length === 2);
    await waitFor('PluralKit is compared', () => harness.pluralKitRequests(user, { method: 'GET' }) > 1);
    await sleep(SETTLE_MS);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
    expect((await harness.updaters(user)).pluralkit.status).toBe('running');
  });

  it('posts a switch-out [] when nobody with a PluralKit id fronts any more', async () => {
    const user = await harness.user('300000000000000003');
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);

    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.claire, SP.blurry]);
    await waitFor('the switch-out is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2);
    await sleep(SETTLE_MS);

    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], []]);
    expect(harness.pluralKit.currentFronters(user.pluralKitToken)).toEqual([]);
    const latest = harness.pluralKit.switchesOf(user.pluralKitToken)[0];
    expect((await harness.updaters(user)).pluralkit).toEqual({ status: 'running', lastOperationError: null, lastSwitchAt: latest.timestamp });
  });

  it('does not post to a system that never logged a switch when nobody fronts, and posts once somebody does', async () => {
    const user = await harness.user('300000000000000004', { simplyPlural: { fronters: [] }, pluralKit: { switches: [] } });
    await harness.enable(user);
    await waitFor('the empty fronters are found in sync', async () => (await harness.eventsOf(user, 'PluralKitAlreadyInSync')).length === 1);
    expect(harness.pluralKitRequests(user, { method: 'POST' })).toBe(0);
    expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'running', lastSwitchAt: null });

    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.bob]);
    await waitFor('the switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    expect(harness.postedSwitches(user)).toEqual([['fghijk']]);
  });

  it('coalesces members flapping in SimplyPlural into one switch to the final fronters', async () => {
    const user = await harness.user('300000000000000005');
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);

    // Each flap is read on its own (longer apart than the debounce), all within the coalescing window.
    for (const fronters of [[SP.alice], [SP.bob], [SP.alice, SP.bob], [SP.bob], [SP.alice]]) {
      harness.simplyPlural.setFronters(user.simplyPluralToken, fronters);
      await sleep(40);
    }
    await waitFor('PluralKit shows the final fronters', () => harness.pluralKit.currentFronters(user.pluralKitToken)?.join() === 'abcde');
    await sleep(SETTLE_MS);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['abcde']]);
    // Several flaps were observed, and coalesced into that one switch.
    expect((await harness.eventsOf(user, 'FrontersObserved')).length).toBeGreaterThanOrEqual(3);
  });

  it('records a stale pkId as a failed switch naming the member, and recovers once it is corrected', async () => {
    const user = await harness.user('300000000000000006');
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);

    harness.simplyPlural.updateMember(user.simplyPluralToken, SP.bob, { pkId: 'zzzzz' });
    const [failed] = await waitFor('the failure is recorded', () => harness.eventsOf(user, 'SwitchPostFailed').then((e) => (e.length ? e : null)));
    expect(failed.data).toMatchObject({ reason: 'stale_member', staleMemberId: 'zzzzz', pluralKitIds: ['abcde', 'zzzzz'] });
    const updater = (await harness.updaters(user)).pluralkit;
    expect(updater.status).toBe('error');
    expect(updater.lastOperationError).toContain("'zzzzz'");
    expect(harness.pluralKitRequests(user, { status: 404 })).toBe(1);

    harness.simplyPlural.updateMember(user.simplyPluralToken, SP.bob, { pkId: 'FGH-IJK' });
    await waitFor('the updater recovers', async () => (await harness.updaters(user)).pluralkit.status === 'running');
    // The corrected id (written as the bot displays it) lists the same members PluralKit already shows.
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
  });

  it('stops at a token PluralKit rejects, without retrying, until the user sets another one', async () => {
    const user = await harness.user('300000000000000007', { pluralKit: null });
    await harness.enable(user);
    await waitFor('the rejection is recorded', async () => (await harness.eventsOf(user, 'TokenRejected')).length === 1);
    expect((await harness.updaters(user)).pluralkit).toEqual({ status: 'error', lastOperationError: 'PluralKit rejected the token', lastSwitchAt: null });
    const rejected = harness.pluralKitRequests(user, { status: 401 });
    expect(rejected).toBe(1);

    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.bob]);
    await waitFor('the change is observed', async () => (await harness.eventsOf(user, 'FrontersObserved')).length === 2);
    await sleep(SETTLE_MS);
    expect(harness.pluralKitRequests(user)).toBe(rejected);

    // The user fixes the token in PluralKit's records and gives it to Herald again.
    harness.pluralKit.addSystem(user.pluralKitToken);
    await harness.call('patch', '/api/v1/me/fronting', { token: user.apiToken, body: { pluralKitToken: user.pluralKitToken } }).expect(200);
    await waitFor('the switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    expect(harness.postedSwitches(user)).toEqual([['fghijk']]);
    expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'running', lastOperationError: null });
  });

  it('retries 5xx with backoff, records the failure, and posts the switch once PluralKit is back', async () => {
    const user = await harness.user('300000000000000008');
    harness.pluralKit.injectFault({ status: 502, method: 'POST' });
    try {
      await harness.enable(user);
      const [failed] = await waitFor('the failure is recorded', () => harness.eventsOf(user, 'SwitchPostFailed').then((e) => (e.length ? e : null)));
      expect(failed.data).toMatchObject({ reason: 'upstream_unavailable', pluralKitIds: ['abcde', 'fghijk'] });
      expect(harness.pluralKitRequests(user, { method: 'POST', status: 502 })).toBe(5);
      expect((await harness.updaters(user)).pluralkit).toMatchObject({ status: 'error', lastOperationError: expect.stringContaining('502') });
    } finally {
      harness.pluralKit.clearFaults();
    }
    await waitFor('the switch is posted on a later try', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
    expect((await harness.updaters(user)).pluralkit.status).toBe('running');
  });

  it('identifies itself to PluralKit and counts its requests in the metrics, without user ids or tokens in labels', async () => {
    const user = await harness.user('300000000000000009');
    await harness.enable(user);
    await waitFor('the switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);

    const post = harness.pluralKit.requests.find((r) => r.method === 'POST' && r.headers.authorization === user.pluralKitToken)!;
    expect(post.headers['user-agent']).toContain('Herald');
    expect(post.headers['user-agent']).toContain(harness.herald.config.publicUrl);
    expect(post.headers['content-type']).toMatch(/^application\/json/);

    const metrics = (await harness.call('get', '/metrics').expect(200)).text;
    expect(metrics).toMatch(/^pluralkit_api_requests_total\{status="200"\} \d+/m);
    expect(metrics).toMatch(/^pluralkit_api_ratelimit_remaining\{scope="own_system_update"\} \d+/m);
    const pluralKitLines = metrics.split('\n').filter((line) => line.startsWith('pluralkit_'));
    for (const line of pluralKitLines) {
      expect(line).not.toContain(user.userId);
      expect(line).not.toContain(user.pluralKitToken);
    }
  });
});

describe('the PluralKit updater when PluralKit answers 40004 or 429', () => {
  let harness: FrontingHarness;
  let staleReads: StaleFrontersProxy;

  beforeAll(async () => {
    harness = await FrontingHarness.start({
      pluralKit: { writesPerSecond: 1 },
      pluralKitUrl: async (fake) => {
        staleReads = await StaleFrontersProxy.start(fake.url);
        return staleReads.url;
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await staleReads?.stop();
  });

  it('takes 400/40004 (the switch was logged meanwhile) as already in sync, not as an error', async () => {
    const user = await harness.user('300000000000000011', {
      pluralKit: { switches: [{ id: '1b0b1b8a-8d57-4a0e-9b39-5f1e0c5c2a11', timestamp: '2024-11-21T12:00:00.000000Z', members: ['abcde', 'fghijk'] }] },
    });
    staleReads.staleFor(user.pluralKitToken);
    await harness.enable(user);
    await waitFor('in sync is recorded', async () => (await harness.eventsOf(user, 'PluralKitAlreadyInSync')).length === 1);

    expect(harness.pluralKitRequests(user, { method: 'POST', status: 400 })).toBe(1);
    expect(await harness.eventsOf(user, 'SwitchPostFailed')).toEqual([]);
    expect((await harness.updaters(user)).pluralkit).toEqual({ status: 'running', lastOperationError: null, lastSwitchAt: null });
  });

  it('waits the retry_after milliseconds of a 429 body, then posts the switch', async () => {
    const user = await harness.user('300000000000000012');
    await harness.enable(user);
    await waitFor('the first switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 1);
    // That switch spent this second's only write (the fake allows one a second), so the next one is limited.
    harness.simplyPlural.setFronters(user.simplyPluralToken, [SP.bob]);
    await waitFor('the second switch is recorded', async () => (await harness.eventsOf(user, 'SwitchPosted')).length === 2, 5_000);

    const posts = harness.pluralKit.requests.filter((r) => r.method === 'POST' && r.headers.authorization === user.pluralKitToken);
    const limited = posts.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThan(0);
    expect(posts[limited + 1].status).toBe(200);
    expect(posts[limited + 1].at - posts[limited].at).toBeGreaterThanOrEqual(200);
    expect(harness.postedSwitches(user)).toEqual([['abcde', 'fghijk'], ['fghijk']]);
    expect((await harness.updaters(user)).pluralkit.status).toBe('running');
  });
});

/**
 * Sits in front of the fake PluralKit and, for chosen tokens, answers `GET fronters` with 204 as
 * if the read happened before a switch someone logged at the same moment; everything else passes.
 */
class StaleFrontersProxy {
  private readonly stale = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<StaleFrontersProxy> {
    let proxy: StaleFrontersProxy | undefined;
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/v2/systems/@me/fronters' && proxy!.stale.has(String(req.headers.authorization))) {
        res.writeHead(204).end();
        return;
      }
      const forwarded = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new StaleFrontersProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  staleFor(token: string): void {
    this.stale.add(token);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
