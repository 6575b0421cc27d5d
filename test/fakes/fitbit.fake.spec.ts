import { createHash, randomBytes } from 'node:crypto';
import { FAKE_CLIENT, FITBIT_FIXTURE_RANGE, FitbitFake, readFitbitFixture } from './fitbit.fake';

const USER = 'ABC12D';
const REDIRECT = 'http://herald.test/api/v1/plugins/fitbit/callback';
const BASIC = `Basic ${Buffer.from(`${FAKE_CLIENT.clientId}:${FAKE_CLIENT.clientSecret}`).toString('base64')}`;

describe('FitbitFake', () => {
  let fake: FitbitFake;

  beforeEach(async () => {
    fake = await FitbitFake.start({ redirectUris: [REDIRECT] });
    fake.addUser(USER, { fixtures: true, timezone: 'Europe/Berlin' });
  });
  afterEach(() => fake.stop());

  const verifier = () => randomBytes(32).toString('base64url');
  const challenge = (value: string) => createHash('sha256').update(value).digest('base64url');

  async function authorize(codeVerifier: string, params: Record<string, string> = {}): Promise<URL> {
    const query = new URLSearchParams({
      client_id: FAKE_CLIENT.clientId,
      response_type: 'code',
      scope: 'activity heartrate sleep profile',
      redirect_uri: REDIRECT,
      code_challenge: challenge(codeVerifier),
      code_challenge_method: 'S256',
      state: 'state-1',
      ...params,
    });
    const response = await fetch(`${fake.url}/oauth2/authorize?${query}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  const token = (form: Record<string, string>, authorization = BASIC) =>
    fetch(`${fake.url}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });

  async function connect(): Promise<{ access_token: string; refresh_token: string }> {
    const codeVerifier = verifier();
    const back = await authorize(codeVerifier);
    const response = await token({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: codeVerifier, redirect_uri: REDIRECT });
    expect(response.status).toBe(200);
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  const get = (path: string, accessToken: string) => fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  const range = `${FITBIT_FIXTURE_RANGE.startDate}/${FITBIT_FIXTURE_RANGE.endDate}`;

  it('answers the fixture range with the fixture files, exactly', async () => {
    const { access_token } = await connect();
    const paths: Array<[string, string]> = [
      [`/1.2/user/-/sleep/date/${range}.json`, 'sleep_range'],
      [`/1/user/-/activities/steps/date/${range}.json`, 'steps_range'],
      [`/1/user/-/activities/heart/date/${range}.json`, 'heart_range'],
      [`/1/user/-/activities/active-zone-minutes/date/${range}.json`, 'azm_range'],
    ];
    for (const [path, fixture] of paths) expect(await (await get(path, access_token)).json()).toEqual(readFitbitFixture(fixture));
  });

  it('sends the browser back with a code and the state, or with access_denied', async () => {
    const back = await authorize(verifier());
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('state-1');
    expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{40}$/);
    fake.nextAuthorization({ userId: USER, deny: true });
    const denied = await authorize(verifier());
    expect(Object.fromEntries(denied.searchParams)).toEqual({ state: 'state-1', error: 'access_denied' });
  });

  it('exchanges a code once, only with its PKCE verifier and the app credentials', async () => {
    const codeVerifier = verifier();
    const code = (await authorize(codeVerifier)).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: REDIRECT };
    expect((await token(form, 'Basic bm9wZTpub3Bl')).status).toBe(401);
    expect((await token({ ...form, code_verifier: verifier() })).status).toBe(400);
    // The failed attempt used the code up, as Fitbit's single-use codes are.
    expect((await token(form)).status).toBe(400);

    const second = verifier();
    const fresh = (await authorize(second)).searchParams.get('code')!;
    const answer = await token({ grant_type: 'authorization_code', code: fresh, code_verifier: second, redirect_uri: REDIRECT });
    expect(await answer.json()).toMatchObject({ expires_in: 28800, token_type: 'Bearer', user_id: USER, scope: 'activity heartrate sleep profile' });
  });

  it('refuses an unregistered redirect URI or a plain challenge', async () => {
    const query = new URLSearchParams({ client_id: FAKE_CLIENT.clientId, response_type: 'code', redirect_uri: 'http://evil.test/cb', state: 's', code_challenge: challenge('x'), code_challenge_method: 'S256' });
    expect((await fetch(`${fake.url}/oauth2/authorize?${query}`, { redirect: 'manual' })).status).toBe(400);
    query.set('redirect_uri', REDIRECT);
    query.set('code_challenge_method', 'plain');
    expect((await fetch(`${fake.url}/oauth2/authorize?${query}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('treats refresh tokens as single-use and counts every refresh', async () => {
    const { refresh_token } = await connect();
    const first = await token({ grant_type: 'refresh_token', refresh_token });
    expect(first.status).toBe(200);
    const again = await token({ grant_type: 'refresh_token', refresh_token });
    expect(again.status).toBe(400);
    const body = (await again.json()) as { errors: Array<{ errorType: string }> };
    expect(body.errors[0].errorType).toBe('invalid_grant');
    expect(fake.refreshCount(USER)).toBe(2);
  });

  it('answers an expired or unknown token with Fitbit 401 bodies', async () => {
    const { access_token } = await connect();
    fake.expireAccessTokens(USER);
    const expired = await get(`/1/user/-/activities/steps/date/${range}.json`, access_token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { errors: Array<{ errorType: string }> }).errors[0].errorType).toBe('expired_token');
    const unknown = await get(`/1/user/-/activities/steps/date/${range}.json`, 'not-a-token');
    expect(((await unknown.json()) as { errors: Array<{ errorType: string }> }).errors[0].errorType).toBe('invalid_token');
  });

  it('counts the hourly quota in its headers and answers 429 with the reset once it is spent', async () => {
    const limited = await FitbitFake.start({ hourlyLimit: 2 });
    try {
      limited.addUser(USER, { generated: true });
      const codeVerifier = verifier();
      const query = new URLSearchParams({ client_id: FAKE_CLIENT.clientId, response_type: 'code', scope: 'activity', redirect_uri: REDIRECT, code_challenge: challenge(codeVerifier), code_challenge_method: 'S256', state: 's' });
      const code = new URL((await fetch(`${limited.url}/oauth2/authorize?${query}`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
      const tokens = (await (
        await fetch(`${limited.url}/oauth2/token`, {
          method: 'POST',
          headers: { Authorization: BASIC },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: REDIRECT }),
        })
      ).json()) as { access_token: string };
      const steps = () => fetch(`${limited.url}/1/user/-/activities/steps/date/2026-01-01/2026-01-07.json`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      const first = await steps();
      expect(first.headers.get('fitbit-rate-limit-limit')).toBe('2');
      expect(first.headers.get('fitbit-rate-limit-remaining')).toBe('1');
      expect(Number(first.headers.get('fitbit-rate-limit-reset'))).toBeGreaterThan(0);
      expect((await steps()).status).toBe(200);
      const refused = await steps();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe(refused.headers.get('fitbit-rate-limit-reset'));
      expect(await refused.json()).toEqual(readFitbitFixture('error_rate_limited'));
      expect(limited.requestsThisHour(USER)).toBe(3);
    } finally {
      await limited.stop();
    }
  });

  it('refuses data whose scope was not granted', async () => {
    fake.nextAuthorization({ userId: USER, grants: ['activity'] });
    const { access_token } = await connect();
    expect((await get(`/1.2/user/-/sleep/date/${range}.json`, access_token)).status).toBe(403);
    expect((await get(`/1/user/-/activities/steps/date/${range}.json`, access_token)).status).toBe(200);
  });

  it('answers the profile with the time zone, and injected faults in turn', async () => {
    const { access_token } = await connect();
    expect(await (await get('/1/user/-/profile.json', access_token)).json()).toMatchObject({ user: { timezone: 'Europe/Berlin' } });
    fake.inject('data', { status: 503 }, { status: 429, resetSeconds: 42 });
    expect((await get(`/1/user/-/activities/steps/date/${range}.json`, access_token)).status).toBe(503);
    const limited = await get(`/1/user/-/activities/steps/date/${range}.json`, access_token);
    expect([limited.status, limited.headers.get('fitbit-rate-limit-reset')]).toEqual([429, '42']);
    expect((await get(`/1/user/-/activities/steps/date/${range}.json`, access_token)).status).toBe(200);
  });
});
