import { sign } from 'jsonwebtoken';
import fixtureRequest from '../fixtures/getstream/partial_update_request.json';
import { GetStreamFake } from './getstream.fake';

const API_KEY = 'fake-api-key';
const API_SECRET = 'fake-api-secret-for-tests';
const serverToken = (secret = API_SECRET, payload: object = { server: true }) => sign(payload, secret, { algorithm: 'HS256', noTimestamp: true });

describe('GetStreamFake', () => {
  let fake: GetStreamFake;

  beforeEach(async () => {
    fake = await GetStreamFake.start({ apiKey: API_KEY, apiSecret: API_SECRET });
    fake.addUser('user-42');
  });
  afterEach(() => fake.stop());

  const patch = (body: unknown, options: { token?: string; apiKey?: string; authType?: string } = {}) =>
    fetch(`${fake.url}/users?api_key=${options.apiKey ?? API_KEY}`, {
      method: 'PATCH',
      headers: {
        'Content-Type': 'application/json',
        'Stream-Auth-Type': options.authType ?? 'jwt',
        Authorization: options.token ?? serverToken(),
      },
      body: JSON.stringify(body),
    });

  it("applies the fixture's partial update and answers with the user keyed by id", async () => {
    const response = await patch(fixtureRequest);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBeTruthy();
    const body = (await response.json()) as { users: Record<string, { invisible: boolean; id: string }> };
    expect(body.users['user-42']).toMatchObject({ id: 'user-42', invisible: true });
    expect(fake.user('user-42')?.invisible).toBe(true);
    expect(fake.appliedUpdates()).toEqual([fixtureRequest]);
  });

  it.each([
    ['signed with another secret', { token: serverToken('another-secret') }],
    ['that is a user token', { token: serverToken(API_SECRET, { user_id: 'user-42' }) }],
    ['sent as a Bearer token', { token: `Bearer ${serverToken()}` }],
    ['sent without Stream-Auth-Type: jwt', { authType: 'anonymous' }],
  ])('refuses a token %s with 401', async (_case, options) => {
    const response = await patch(fixtureRequest, options);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 5, StatusCode: 401 });
    expect(fake.user('user-42')?.invisible).toBe(false);
  });

  it('refuses a wrong api key', async () => {
    expect((await patch(fixtureRequest, { apiKey: 'nope' })).status).toBe(401);
  });

  it('refuses bodies Stream refuses, with its error shape', async () => {
    for (const body of [{ users: {} }, { users: [{ id: 'user-42' }] }, { users: [{ id: 'user-42', set: { online: true } }] }, { users: [{ id: 'nobody', set: { invisible: true } }] }]) {
      const response = await patch(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 4, StatusCode: 400, message: expect.any(String) });
    }
  });

  it('answers 429 with the X-Ratelimit headers when told to, then serves again', async () => {
    fake.rateLimitNext(1, 2);
    const limited = await patch(fixtureRequest);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    expect((await patch(fixtureRequest)).status).toBe(200);
  });
});
