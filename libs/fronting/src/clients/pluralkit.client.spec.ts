import { randomBytes } from 'node:crypto';
import { loadConfig } from '@herald/core';
import { HttpClientFactory } from '@herald/http-client';
import { HeraldMetrics } from '@herald/observability';
import { PluralKitFake } from '../../../../test/fakes/pluralkit.fake';
import { PluralKitClient } from './pluralkit.client';

const PUBLIC_URL = 'https://herald.example.org';

describe('the PluralKit client against a PluralKit built from the fixtures', () => {
  let pluralKit: PluralKitFake;
  let metrics: HeraldMetrics;
  let client: PluralKitClient;

  beforeAll(async () => {
    pluralKit = await PluralKitFake.start();
  });
  afterAll(() => pluralKit.stop());
  beforeEach(() => {
    metrics = new HeraldMetrics();
    const config = loadConfig({ PLURALKIT_API_URL: pluralKit.url, HERALD_PUBLIC_URL: PUBLIC_URL, PLURALKIT_RETRY_BASE_DELAY_MS: '1' }, '/tmp');
    client = new PluralKitClient(new HttpClientFactory(metrics), metrics, config);
  });

  const newSystem = (seed: Parameters<PluralKitFake['addSystem']>[1] = {}) => {
    const token = randomBytes(48).toString('base64');
    pluralKit.addSystem(token, seed);
    return token;
  };

  it('reads the current fronters as short ids, and a system without switches as nobody', async () => {
    expect(await client.currentFronters(newSystem())).toEqual({ outcome: 'fronters', memberIds: ['abcde'] });
    expect(await client.currentFronters(newSystem({ switches: [] }))).toEqual({ outcome: 'fronters', memberIds: [] });
  });

  it('posts a switch with the token, JSON and a User-Agent naming Herald and its operator', async () => {
    const token = newSystem();
    const result = await client.postSwitch(token, ['abcde', 'fghijk']);

    const latest = pluralKit.switchesOf(token)[0];
    expect(result).toEqual({ outcome: 'posted', switchId: latest.id, timestamp: latest.timestamp });
    expect(latest.members).toEqual(['abcde', 'fghijk']);
    const post = pluralKit.requests.find((r) => r.method === 'POST' && r.headers.authorization === token)!;
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.headers['user-agent']).toMatch(/^Herald .*https:\/\/herald\.example\.org/);
  });

  it('sends a PluralKit API key as a Bearer token', async () => {
    const key = `pkapi:${Buffer.from('{"system":1}').toString('base64')}:c2lnbmF0dXJl`;
    pluralKit.addSystem(key);
    expect(await client.currentFronters(key)).toEqual({ outcome: 'fronters', memberIds: ['abcde'] });
  });

  it('tells an identical switch (40004), an unknown member (20003) and a rejected token (401) apart', async () => {
    const token = newSystem();
    expect(await client.postSwitch(token, ['abcde'])).toEqual({ outcome: 'identical' });
    expect(await client.postSwitch(token, ['abcde', 'zzzzz'])).toEqual({ outcome: 'member_not_found', memberId: 'zzzzz' });
    const unknown = randomBytes(48).toString('base64');
    expect(await client.postSwitch(unknown, ['abcde'])).toEqual({ outcome: 'token_rejected' });
    expect(await client.currentFronters(unknown)).toEqual({ outcome: 'token_rejected' });
  });

  it('returns any other refusal with its status, code and message', async () => {
    expect(await client.postSwitch(newSystem(), ['abcde', 'abcde'])).toEqual({
      outcome: 'refused',
      status: 400,
      code: 40003,
      message: 'Duplicate members in member list.',
    });
  });

  it('counts requests by status and keeps the remaining quota by scope, never by token', async () => {
    const token = newSystem();
    await client.currentFronters(token);
    await client.postSwitch(token, ['fghijk']);
    await client.currentFronters(randomBytes(48).toString('base64'));

    const exported = await metrics.registry.metrics();
    expect(exported).toMatch(/^pluralkit_api_requests_total\{status="200"\} 2$/m);
    expect(exported).toMatch(/^pluralkit_api_requests_total\{status="401"\} 1$/m);
    expect(exported).toMatch(/^pluralkit_api_ratelimit_remaining\{scope="own_system_get"\} 9$/m);
    expect(exported).toMatch(/^pluralkit_api_ratelimit_remaining\{scope="own_system_update"\} 2$/m);
    expect(exported).not.toContain(token);
  });
});
