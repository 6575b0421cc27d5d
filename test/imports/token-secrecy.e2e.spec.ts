import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_CLIENT, FITBIT_FIXTURE_RANGE, FitbitFake } from '../fakes/fitbit.fake';
import { waitFor } from '@herald/core/testing';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { expectNoSecretIn, stopAndCollectTraces, wholeResponseText } from '../support/secret-leak-scan';
import { bindingCookie } from './imports-harness';

const OPERATOR = 'operator-token-for-the-imports-secrecy-test';
const PUBLIC_URL = 'http://herald.test';

/**
 * A whole run of a real Herald process, logging at `trace`, through every path Fitbit's secrets
 * take: the client secret from the environment and over the API, the code exchange, syncs, an
 * expired token refreshed, a 429, a 5xx, a dead refresh token, a reconnection, a disconnection
 * (revoking), every read route, metrics and OpenAPI. Afterwards neither the client secret nor any
 * access or refresh token Fitbit issued may appear in any log line, event, API response or data file.
 */
describe('Fitbit secrets never appear in plain text', () => {
  let fitbit: FitbitFake;
  let herald: HeraldProcess | undefined;
  let dataDir: string;
  const responses: string[] = [];

  beforeAll(async () => {
    fitbit = await FitbitFake.start({ redirectUris: [`${PUBLIC_URL}/api/v1/plugins/fitbit/callback`] });
    dataDir = mkdtempSync(join(tmpdir(), 'herald-imports-secrecy-'));
  });
  afterAll(async () => {
    if (herald?.child.exitCode === null) herald.child.kill('SIGKILL');
    await fitbit?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Calls the running Herald and keeps the whole answer, headers included. */
  async function call(method: string, path: string, options: { token?: string; body?: unknown; cookie?: string; accept?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.Cookie = options.cookie;
    if (options.accept) headers.Accept = options.accept;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${herald!.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
    });
    const text = await response.text();
    responses.push(wholeResponseText(response, text));
    return { status: response.status, headers: response.headers, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  }

  /** The browser's trip: Herald's auth route, the fake's authorize page, Herald's callback. */
  async function connect(apiToken: string, fitbitUser: string): Promise<string | null> {
    fitbit.nextAuthorization({ userId: fitbitUser });
    const begun = await call('GET', '/api/v1/plugins/fitbit/auth', { token: apiToken });
    const cookie = bindingCookie(begun.headers.getSetCookie());
    const authorized = await fetch(begun.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorized.headers.get('location')!);
    const result = await call('GET', callback.pathname + callback.search, { cookie });
    return new URL(result.headers.get('location')!, PUBLIC_URL).searchParams.get('error');
  }

  const sync = async (apiToken: string) => (await call('POST', '/api/v1/plugins/fitbit/sync', { token: apiToken, body: { ...FITBIT_FIXTURE_RANGE } })).body;

  it('keeps the client secret and every token out of every log line, event, API response and data file of a full run', async () => {
    herald = await spawnHerald({
      HERALD_DATA_DIR: dataDir,
      HERALD_ADMIN_TOKEN: OPERATOR,
      LOG_LEVEL: 'trace',
      HERALD_POLL_INTERVAL_MS: '50',
      HERALD_PUBLIC_URL: PUBLIC_URL,
      FITBIT_API_URL: fitbit.url,
      FITBIT_AUTH_URL: fitbit.url,
      FITBIT_CLIENT_ID: FAKE_CLIENT.clientId,
      FITBIT_CLIENT_SECRET: FAKE_CLIENT.clientSecret,
      DISCORD_GATEWAY: 'off',
    });
    fitbit.addUser('FBALICE', { fixtures: true });
    fitbit.addUser('FBBOB', { fixtures: true });

    // The operator sets the same credentials over the API too: sealed in the log.
    expect((await call('PUT', '/api/v1/admin/plugins/fitbit/config', { token: OPERATOR, body: { values: { ...FAKE_CLIENT } } })).status).toBe(200);
    expect((await call('PUT', '/api/v1/admin/plugins/fitbit/config', { token: OPERATOR, body: { values: { clientSecret: `${FAKE_CLIENT.clientSecret} ` } } })).status).toBe(400);

    const alice = (await call('POST', '/api/v1/users/alice/tokens', { token: OPERATOR, body: {} })).body.token as string;
    const bob = (await call('POST', '/api/v1/users/bob/tokens', { token: OPERATOR, body: {} })).body.token as string;
    await waitFor('the API tokens work', async () => (await call('GET', '/api/v1/plugins', { token: bob })).status === 200);

    // Alice: connect, sync, an expired token refreshed, a 429, a 5xx, then a disconnection.
    expect(await connect(alice, 'FBALICE')).toBeNull();
    await waitFor('alice is connected', async () => (await call('GET', '/api/v1/plugins', { token: alice })).body[0]?.connected);
    expect(await sync(alice)).toMatchObject({ outcome: 'ok', valuesImported: 19 });
    fitbit.expireAccessTokens('FBALICE');
    expect(await sync(alice)).toMatchObject({ outcome: 'ok' });
    fitbit.inject('data', { status: 503, kind: 'heart' }, { status: 503, kind: 'heart' }, { status: 503, kind: 'heart' });
    expect(await sync(alice)).toMatchObject({ outcome: 'partial' });
    fitbit.inject('data', { status: 429, resetSeconds: 1312, kind: 'steps' });
    expect(await sync(alice)).toMatchObject({ outcome: 'rate_limited' });

    // Bob: a dead refresh token, then a reconnection and a connect link.
    expect(await connect(bob, 'FBBOB')).toBeNull();
    await waitFor('bob is connected', async () => (await call('GET', '/api/v1/plugins', { token: bob })).body[0]?.connected);
    fitbit.revokeRefreshTokens('FBBOB');
    fitbit.expireAccessTokens('FBBOB');
    expect(await sync(bob)).toMatchObject({ outcome: 'reconnect_needed' });
    expect(await connect(bob, 'FBBOB')).toBeNull();
    expect((await call('POST', '/api/v1/plugins/fitbit/connect-link', { token: bob })).status).toBe(200);

    for (const token of [alice, bob]) {
      await call('GET', '/api/v1/plugins', { token });
      await call('GET', '/api/v1/me/metrics?from=2025-03-01&to=2025-03-31', { token });
      await call('GET', '/api/v1/me/metrics?from=2025-03-01&to=2025-03-31', { token, accept: 'text/csv' });
    }
    await call('GET', '/api/v1/users/alice/audit?pageSize=100', { token: alice });
    await call('GET', '/api/v1/users/bob/audit?pageSize=100', { token: bob });
    await call('GET', '/api/v1/admin/plugins', { token: OPERATOR });
    await call('GET', '/metrics', { token: OPERATOR });
    await call('GET', '/api/docs-json', { token: OPERATOR });
    expect((await call('DELETE', '/api/v1/plugins/fitbit', { token: alice })).status).toBe(204);
    expect(fitbit.count({ kind: 'revoke' })).toBe(1);

    const traces = await stopAndCollectTraces(herald, dataDir, responses);
    const { logs, logLines, eventTexts } = traces;

    // The capture is real: the run logged at trace level, and the events hold the sealed tokens.
    expect(logLines.length).toBeGreaterThan(50);
    expect(logs).toContain('user alice connected fitbit');
    expect(logs).toContain('reconnect needed');
    for (const type of ['IntegrationConnected', 'TokensRefreshed', 'IntegrationReconnectNeeded', 'PluginConfigured', 'DailyMetricsImported']) {
      expect(eventTexts.some((text) => text.includes(`"${type}"`))).toBe(true);
    }
    expect(responses.length).toBeGreaterThan(30);
    const secrets = [FAKE_CLIENT.clientSecret, ...fitbit.issuedSecrets];
    expect(secrets.length).toBeGreaterThanOrEqual(9);

    expectNoSecretIn(traces, secrets);
  });
});
