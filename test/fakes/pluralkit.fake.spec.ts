import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import duplicateSwitchError from '../fixtures/pluralkit/error_400_duplicate_switch.json';
import unauthorizedError from '../fixtures/pluralkit/error_401.json';
import memberNotFoundError from '../fixtures/pluralkit/error_404_member_not_found.json';
import fixtureFronters from '../fixtures/pluralkit/fronters.json';
import switchCreated from '../fixtures/pluralkit/switch_created.json';
import { PLURALKIT_FIXTURE_SYSTEM_ID, PluralKitFake, type PluralKitFakeOptions } from './pluralkit.fake';

const TOKEN = randomBytes(48).toString('base64');
const USER_AGENT = 'Herald tests (https://example.invalid/operator)';

describe('PluralKitFake', () => {
  let fake: PluralKitFake;

  async function restart(options: PluralKitFakeOptions = {}) {
    await fake?.stop();
    fake = await PluralKitFake.start(options);
    fake.addSystem(TOKEN);
  }

  const call = (method: string, path: string, options: { body?: unknown; authorization?: string; signal?: AbortSignal } = {}) =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: {
        Authorization: options.authorization ?? TOKEN,
        'User-Agent': USER_AGENT,
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  const postSwitch = (members: string[], authorization?: string) =>
    call('POST', '/v2/systems/@me/switches', { body: { members }, authorization });
  const getFronters = (authorization?: string) => call('GET', '/v2/systems/@me/fronters', { authorization });

  beforeEach(() => restart());
  afterEach(() => fake.stop());

  describe('fronters and switches', () => {
    it('serves the fixture fronters, full member objects included, with own-system read limits', async () => {
      const response = await getFronters();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(fixtureFronters);
      expect(response.headers.get('x-ratelimit-limit')).toBe('10');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('9');
      expect(response.headers.get('x-ratelimit-scope')).toBe('own_system_get');
      expect(Number(response.headers.get('x-ratelimit-reset'))).toBeLessThan(1e12);
      expect(response.headers.get('x-pluralkit-version')).toBeTruthy();
    });

    it('answers 204 without a body for a system that never logged a switch', async () => {
      const fresh = randomBytes(48).toString('base64');
      fake.addSystem(fresh, { switches: [] });
      const response = await getFronters(fresh);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(await (await call('GET', '/v2/systems/@me/switches', { authorization: fresh })).json()).toEqual([]);
    });

    it('logs the fixture switch: 200 with the switch_created shape, and the new fronters', async () => {
      const response = await postSwitch(['abcde', 'fghijk']);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-scope')).toBe('own_system_update');
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      const created = (await response.json()) as typeof switchCreated;
      expect(created).toEqual({ ...switchCreated, id: expect.any(String), timestamp: expect.any(String) });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(fake.currentFronters(TOKEN)).toEqual(['abcde', 'fghijk']);
      const [latest] = (await (await call('GET', '/v2/systems/@me/switches?limit=1')).json()) as { members: string[] }[];
      expect(latest).toEqual({ id: created.id, timestamp: created.timestamp, members: ['abcde', 'fghijk'] });
    });

    it('refuses a member list identical in order to the current one with 40004, as the fixture', async () => {
      const response = await postSwitch(['abcde']);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(duplicateSwitchError);
    });

    it('logs a reordered member list as a new switch, as PluralKit does', async () => {
      fake.setFronters(TOKEN, ['abcde', 'fghijk']);
      expect((await postSwitch(['fghijk', 'abcde'])).status).toBe(200);
      expect(fake.switchesOf(TOKEN)).toHaveLength(3);
    });

    it('accepts a first switch-out but refuses a second one with 40004', async () => {
      expect((await postSwitch([])).status).toBe(200);
      const again = await postSwitch([]);
      expect(again.status).toBe(400);
      expect(((await again.json()) as { code: number }).code).toBe(40004);
    });

    it('accepts a switch-out from a system that never logged a switch', async () => {
      const fresh = randomBytes(48).toString('base64');
      fake.addSystem(fresh, { switches: [] });
      expect((await postSwitch([], fresh)).status).toBe(200);
      expect(fake.currentFronters(fresh)).toEqual([]);
    });

    it('names a member it does not know with 404 / 20003, as the fixture', async () => {
      const response = await postSwitch(['abcde', 'zzzzz']);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(memberNotFoundError);
      expect(fake.currentFronters(TOKEN)).toEqual(['abcde']);
    });

    it('refuses duplicate members with 40003 before looking them up', async () => {
      const response = await postSwitch(['zzzzz', 'zzzzz']);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: 'Duplicate members in member list.', code: 40003 });
    });

    it('refuses a body that is not a member list with 40001, naming the field', async () => {
      const response = await call('POST', '/v2/systems/@me/switches', { body: { members: 'abcde' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 40001, errors: { members: [expect.any(Object)] } });
    });

    it('finds members by uuid too, and records their short ids', async () => {
      expect((await postSwitch([switchCreated.members[1].uuid])).status).toBe(200);
      expect(fake.currentFronters(TOKEN)).toEqual(['fghijk']);
    });

    it('takes the members the test gives it', async () => {
      fake.setMembers(TOKEN, ['abcde', { id: 'qrstu', name: 'Quinn' }]);
      expect((await postSwitch(['fghijk'])).status).toBe(404);
      const created = (await (await postSwitch(['qrstu'])).json()) as typeof switchCreated;
      expect(created.members).toEqual([expect.objectContaining({ id: 'qrstu', name: 'Quinn', system: PLURALKIT_FIXTURE_SYSTEM_ID })]);
    });
  });

  describe('gateway', () => {
    it('answers a bad token with the fixture 401 and no rate-limit headers', async () => {
      const response = await getFronters(randomBytes(48).toString('base64'));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(unauthorizedError);
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    });

    it('takes an API key only with the Bearer prefix', async () => {
      const apiKey = `pkapi:${Buffer.from('{"sid":"x"}').toString('base64')}:${randomBytes(32).toString('base64url')}`;
      fake.addSystem(apiKey);
      expect((await getFronters(apiKey)).status).toBe(401);
      expect((await getFronters(`Bearer ${apiKey}`)).status).toBe(200);
    });

    it('answers a request without User-Agent with an empty 400', async () => {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${fake.url}/v2/systems/@me/fronters`, { headers: { Authorization: TOKEN } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end();
      });
      expect({ status, body }).toEqual({ status: 400, body: '' });
    });

    it('answers v1 with 410 and unknown routes with an empty 404', async () => {
      const legacy = await call('GET', '/v1/s/exsys');
      expect(legacy.status).toBe(410);
      expect(await legacy.json()).toEqual({ message: 'Unsupported API version', code: 0 });
      const unknown = await call('GET', '/v2/nowhere');
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe('');
    });

    it('keeps the fixture system id for the first system and gives others their own', () => {
      expect(fake.addSystem(randomBytes(48).toString('base64')).systemId).not.toBe(PLURALKIT_FIXTURE_SYSTEM_ID);
    });
  });

  describe('rate limits', () => {
    // The limiter runs on a clock the tests move, so a slow machine cannot refill a bucket early.
    let now = 0;
    const elapse = (ms: number) => (now += ms);
    beforeEach(() => restart({ clock: () => now }));

    it('lets 3 writes a second through, then answers 429 with retry_after in milliseconds and no Retry-After', async () => {
      const statuses: number[] = [];
      for (const members of [['abcde'], ['fghijk'], ['abcde'], ['fghijk']]) statuses.push((await postSwitch(members)).status);
      // The first one repeats the current fronters: refused with 40004, yet it counts.
      expect(statuses).toEqual([400, 200, 200, 429]);

      elapse(100);
      const limited = await postSwitch(['fghijk']);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeNull();
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.headers.get('x-ratelimit-scope')).toBe('own_system_update');
      expect(await limited.json()).toEqual({ message: '429: too many requests', retry_after: 234, scope: 'generic_update', code: 0 });
      expect(fake.tooManyRequestsCount).toBe(2);

      elapse(234);
      expect((await postSwitch(['fghijk'])).status).toBe(200);
      expect(fake.count({ method: 'POST', path: '/v2/systems/@me/switches', status: 429 })).toBe(2);
    });

    it('lets 10 reads a second through, in a bucket apart from writes', async () => {
      const statuses = await Promise.all(Array.from({ length: 11 }, () => getFronters().then((r) => r.status)));
      expect(statuses.filter((status) => status === 200)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(1);
      expect((await postSwitch(['fghijk'])).status).toBe(200);
    });

    it('refills the whole burst after a second', async () => {
      for (let i = 0; i < 10; i += 1) await getFronters();
      elapse(1_000);
      const statuses = await Promise.all(Array.from({ length: 10 }, () => getFronters().then((r) => r.status)));
      expect(statuses.every((status) => status === 200)).toBe(true);
    });

    it('counts each token on its own', async () => {
      const other = randomBytes(48).toString('base64');
      fake.addSystem(other);
      for (let i = 0; i < 3; i += 1) await postSwitch([i % 2 ? 'abcde' : 'fghijk']);
      expect((await postSwitch(['abcde'])).status).toBe(429);
      expect((await postSwitch(['fghijk'], other)).status).toBe(200);
    });

    it('takes the limits it is given', async () => {
      await restart({ writesPerSecond: 1, clock: () => now });
      expect((await postSwitch(['fghijk'])).status).toBe(200);
      expect((await postSwitch(['abcde'])).status).toBe(429);
    });
  });

  describe('latency and faults', () => {
    it('answers after the given latency', async () => {
      await restart({ latencyMs: 50 });
      const started = performance.now();
      await getFronters();
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    });

    it('answers with the injected 5xx for the given method and times, then as usual', async () => {
      fake.injectFault({ status: 503, method: 'POST', times: 1 });
      expect((await getFronters()).status).toBe(200);
      const failed = await postSwitch(['fghijk']);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('x-ratelimit-scope')).toBe('own_system_update');
      expect((await postSwitch(['fghijk'])).status).toBe(200);
    });

    it('leaves a request hanging until the client gives up', async () => {
      fake.injectFault({ hang: true });
      await expect(call('GET', '/v2/systems/@me/fronters', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
      fake.clearFaults();
      expect((await getFronters()).status).toBe(200);
      expect(fake.requests.map((r) => r.status)).toEqual([0, 200]);
    });
  });

  it('logs method, path, body and headers, User-Agent included', async () => {
    await postSwitch(['abcde', 'fghijk']);
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v2/systems/@me/switches',
        body: { members: ['abcde', 'fghijk'] },
        status: 200,
        headers: expect.objectContaining({ 'user-agent': USER_AGENT, authorization: TOKEN, 'content-type': 'application/json' }),
      }),
    ]);
    expect(fake.count({ method: 'POST', path: '/v2/systems/@me/switches', status: 200 })).toBe(1);
    expect(fake.count({ method: 'GET' })).toBe(0);
  });
});
