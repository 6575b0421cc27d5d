import request from 'supertest';
import { ManualClock } from '@herald/core';
import { ImportsHarness, PUBLIC_URL } from './imports-harness';

/**
 * Abuse of the OAuth callback: a missing, replayed, expired or foreign state; no cookie; the user
 * refusing; a forged code; bad connect links. Each is refused with its named error, and nothing is
 * stored: no connection, no token, no code exchanged that should not have been.
 */
describe('OAuth callback abuse', () => {
  const clock = new ManualClock(new Date());
  let harness: ImportsHarness;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    harness = await ImportsHarness.start({ clock });
    for (const user of ['victim', 'attacker', 'late', 'shy', 'forger', 'linker']) {
      harness.fitbit.addUser(`FB${user.toUpperCase()}`, { fixtures: true });
      tokens[user] = await harness.tokenFor(user);
    }
  });
  afterAll(() => harness.close());

  async function begin(user: string): Promise<{ callback: URL; cookie: string }> {
    harness.fitbit.nextAuthorization({ userId: `FB${user.toUpperCase()}` });
    return harness.beginAndAuthorize(tokens[user]);
  }

  const errorOf = (result: URL) => result.searchParams.get('error');

  async function connectedUsers(): Promise<string[]> {
    await harness.catchUp();
    return (await harness.events('IntegrationConnected')).map((event) => event.metadata.userId!).sort();
  }

  const codeExchanges = () => harness.fitbit.requests.filter((r) => r.kind === 'token' && r.grant === 'authorization_code').length;

  it('refuses a callback without state, or without the cookie, as invalid_state', async () => {
    const { callback, cookie } = await begin('victim');
    const stateless = new URL(callback);
    stateless.searchParams.delete('state');
    expect(errorOf(await harness.deliverCallback(stateless, cookie))).toBe('invalid_state');
    expect(errorOf(await harness.deliverCallback(callback, null))).toBe('invalid_state');
    expect(errorOf(await harness.deliverCallback(callback, 'herald_oauth_fitbit=made-up'))).toBe('invalid_state');
    expect(codeExchanges()).toBe(0);
    expect(await connectedUsers()).toEqual([]);

    // Neither attempt spent the authorization: the browser that began it can still finish it.
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBeNull();
    expect(await connectedUsers()).toEqual(['victim']);
  });

  it('refuses a replayed callback as invalid_state and exchanges no code again', async () => {
    const { callback, cookie } = await begin('victim');
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBeNull();
    const exchanges = codeExchanges();
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBe('invalid_state');
    expect(codeExchanges()).toBe(exchanges);
    expect((await connectedUsers()).filter((user) => user === 'victim')).toHaveLength(2);
  });

  it("refuses another user's state with one's own cookie (login CSRF) as invalid_state", async () => {
    const victims = await begin('victim');
    const attackers = await begin('attacker');
    const before = await connectedUsers();
    // The attacker lures the victim's browser to the attacker's callback, and the other way round.
    expect(errorOf(await harness.deliverCallback(attackers.callback, victims.cookie))).toBe('invalid_state');
    expect(errorOf(await harness.deliverCallback(victims.callback, attackers.cookie))).toBe('invalid_state');
    expect(await connectedUsers()).toEqual(before);
  });

  it('refuses a callback more than ten minutes after the start as expired', async () => {
    const { callback, cookie } = await begin('late');
    clock.advance(10 * 60_000 + 1_000);
    try {
      const result = await harness.deliverCallback(callback, cookie);
      expect(result.pathname + result.search).toBe('/integrations?plugin=fitbit&error=expired');
    } finally {
      clock.advance(-(10 * 60_000 + 1_000));
    }
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBe('invalid_state');
    expect(await connectedUsers()).not.toContain('late');
  });

  it('reports a refusal by the user as access_denied, and then nothing is pending', async () => {
    harness.fitbit.nextAuthorization({ userId: 'FBSHY', deny: true });
    const { callback, cookie } = await harness.beginAndAuthorize(tokens.shy);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBe('access_denied');
    expect(errorOf(await harness.deliverCallback(callback, cookie))).toBe('invalid_state');
    expect(await connectedUsers()).not.toContain('shy');
  });

  it('reports a code the provider will not exchange as token_exchange_failed', async () => {
    const { callback, cookie } = await begin('forger');
    const forged = new URL(callback);
    forged.searchParams.set('code', 'f'.repeat(40));
    expect(errorOf(await harness.deliverCallback(forged, cookie))).toBe('token_exchange_failed');
    expect(await connectedUsers()).not.toContain('forger');
    const [view] = (await harness.call('get', '/api/v1/plugins', { token: tokens.forger }).expect(200)).body;
    expect(view).toMatchObject({ connected: false, status: 'not_connected' });
  });

  it('lets a connect link be used once, by any browser, within ten minutes', async () => {
    const link = (await harness.call('post', '/api/v1/plugins/fitbit/connect-link', { token: tokens.linker }).expect(200)).body as { url: string };
    const url = new URL(link.url);
    expect(url.origin + url.pathname).toBe(`${PUBLIC_URL}/api/v1/plugins/fitbit/connect`);

    const opened = await request(harness.app.getHttpServer()).get(url.pathname + url.search).expect(302);
    expect(opened.headers.location).toContain(`${harness.fitbit.url}/oauth2/authorize?`);
    const again = await request(harness.app.getHttpServer()).get(url.pathname + url.search).expect(302);
    expect(again.headers.location).toBe('/integrations?plugin=fitbit&error=invalid_link');
    const bogus = await request(harness.app.getHttpServer()).get('/api/v1/plugins/fitbit/connect?ticket=nope').expect(302);
    expect(bogus.headers.location).toBe('/integrations?plugin=fitbit&error=invalid_link');

    const stale = new URL((await harness.call('post', '/api/v1/plugins/fitbit/connect-link', { token: tokens.linker }).expect(200)).body.url);
    clock.advance(11 * 60_000);
    try {
      const expired = await request(harness.app.getHttpServer()).get(stale.pathname + stale.search).expect(302);
      expect(expired.headers.location).toBe('/integrations?plugin=fitbit&error=expired');
    } finally {
      clock.advance(-11 * 60_000);
    }
  });
});
