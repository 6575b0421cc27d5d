import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluralKitFake } from '../fakes/pluralkit.fake';
import { SimplyPluralFake } from '../fakes/simplyplural.fake';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { expectNoSecretIn, stopAndCollectTraces, wholeResponseText } from '../support/secret-leak-scan';
import { sleep, waitFor } from '@herald/core/testing';
import { FAST_FRONTING_ENV, randomToken, SP } from './fronting-harness';

const OPERATOR = 'operator-token-for-the-secrecy-test';

/**
 * A whole run of a real Herald process, logging at `trace`, through every path a token takes:
 * set, sealed, opened for SimplyPlural and PluralKit, rejected by both, a stale member, a PluralKit
 * outage, bad input next to real tokens, every read route. Afterwards neither token may appear
 * in any log line, in any event, in any API response, nor anywhere in the data directory.
 */
describe('fronting tokens never appear in plain text', () => {
  let simplyPlural: SimplyPluralFake;
  let pluralKit: PluralKitFake;
  let herald: HeraldProcess | undefined;
  let dataDir: string;
  const responses: string[] = [];

  beforeAll(async () => {
    simplyPlural = await SimplyPluralFake.start();
    pluralKit = await PluralKitFake.start();
    dataDir = mkdtempSync(join(tmpdir(), 'herald-secrecy-'));
  });
  afterAll(async () => {
    if (herald?.child.exitCode === null) herald.child.kill('SIGKILL');
    await simplyPlural?.stop();
    await pluralKit?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Calls the running Herald and keeps the whole answer, headers included. */
  async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${herald!.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    responses.push(wholeResponseText(response, text));
    return { status: response.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  }

  async function eventsOf(userId: string, apiToken: string, type: string): Promise<unknown[]> {
    const page = await call('GET', `/api/v1/users/${userId}/audit?pageSize=100`, apiToken);
    return (page.body.items as Array<{ type: string }>).filter((item) => item.type === type);
  }

  it('keeps both tokens out of every log line, event, API response and data file of a full run', async () => {
    herald = await spawnHerald({
      ...FAST_FRONTING_ENV,
      HERALD_DATA_DIR: dataDir,
      HERALD_ADMIN_TOKEN: OPERATOR,
      LOG_LEVEL: 'trace',
      HERALD_POLL_INTERVAL_MS: '50',
      SIMPLYPLURAL_API_URL: simplyPlural.url,
      PLURALKIT_API_URL: pluralKit.url,
      DISCORD_GATEWAY: 'off',
    });
    const secrets: string[] = [];
    const newToken = () => {
      const token = randomToken();
      secrets.push(token);
      return token;
    };

    // A system that syncs, then meets a stale member and a PluralKit outage.
    const alice = { userId: '600000000000000001', simplyPluralToken: newToken(), pluralKitToken: newToken() };
    simplyPlural.addSystem(alice.simplyPluralToken);
    pluralKit.addSystem(alice.pluralKitToken);
    const aliceApi = (await call('POST', `/api/v1/users/${alice.userId}/tokens`, OPERATOR, {})).body.token as string;
    await waitFor('the API token works', async () => (await call('GET', '/api/v1/me/fronting', aliceApi)).status === 200);
    const enable = { simplyPluralToken: alice.simplyPluralToken, pluralKitToken: alice.pluralKitToken, enableToPluralKit: true };
    expect((await call('PATCH', '/api/v1/me/fronting', aliceApi, enable)).status).toBe(200);
    await waitFor('the switch is posted', () => pluralKit.currentFronters(alice.pluralKitToken)?.join() === 'abcde,fghijk');

    simplyPlural.updateMember(alice.simplyPluralToken, SP.bob, { pkId: 'zzzzz' });
    await waitFor('the stale member is recorded', async () => (await eventsOf(alice.userId, aliceApi, 'SwitchPostFailed')).length === 1);
    simplyPlural.updateMember(alice.simplyPluralToken, SP.bob, { pkId: 'fghijk' });
    pluralKit.injectFault({ status: 503 });
    simplyPlural.setFronters(alice.simplyPluralToken, [SP.alice]);
    await waitFor('the outage is recorded', async () => (await eventsOf(alice.userId, aliceApi, 'SwitchPostFailed')).length >= 2);
    pluralKit.clearFaults();
    await waitFor('the switch is posted after the outage', () => pluralKit.currentFronters(alice.pluralKitToken)?.join() === 'abcde');

    // A system whose tokens both services refuse, and who then pastes tokens into the wrong fields.
    const bob = { userId: '600000000000000002', simplyPluralToken: newToken(), pluralKitToken: newToken() };
    simplyPlural.addSystem(bob.simplyPluralToken);
    const bobApi = (await call('POST', `/api/v1/users/${bob.userId}/tokens`, OPERATOR, {})).body.token as string;
    await waitFor('the API token works', async () => (await call('GET', '/api/v1/me/fronting', bobApi)).status === 200);
    await call('PATCH', '/api/v1/me/fronting', bobApi, { simplyPluralToken: bob.simplyPluralToken, pluralKitToken: bob.pluralKitToken, enableToPluralKit: true });
    await waitFor('PluralKit refuses the token', async () => (await eventsOf(bob.userId, bobApi, 'TokenRejected')).length === 1);
    simplyPlural.revokeToken(bob.simplyPluralToken);
    simplyPlural.dropAllSockets();
    await waitFor('SimplyPlural refuses the token', async () => (await eventsOf(bob.userId, bobApi, 'TokenRejected')).length === 2);
    for (const body of [
      { simplyPluralToken: `${bob.simplyPluralToken}x` },
      { pluralKitToken: bob.simplyPluralToken.slice(1) },
      { simplyPluralToken: bob.pluralKitToken, pluralKitToken: bob.pluralKitToken },
      { simplyPluralToken: bob.simplyPluralToken, sneaky: bob.pluralKitToken },
    ]) {
      expect((await call('PATCH', '/api/v1/me/fronting', bobApi, body)).status).toBe(400);
    }

    for (const [userId, apiToken] of [
      [alice.userId, aliceApi],
      [bob.userId, bobApi],
    ]) {
      await call('GET', '/api/v1/me/fronting', apiToken);
      await call('GET', '/api/v1/me/updaters', apiToken);
      await call('GET', `/api/v1/users/${userId}/audit?pageSize=100`, apiToken);
    }
    await call('GET', '/metrics', OPERATOR);
    await call('GET', '/api/docs-json', OPERATOR);
    const updaters = await call('GET', '/api/v1/me/updaters', bobApi);
    expect(updaters.body.pluralkit).toMatchObject({ status: 'error', lastOperationError: 'PluralKit rejected the token; SimplyPlural rejected the token' });
    await sleep(200);

    const traces = await stopAndCollectTraces(herald, dataDir, responses);
    const { logs, logLines, eventTexts } = traces;

    // The capture is real: the run logged at trace level, and the events hold the sealed tokens.
    expect(logLines.length).toBeGreaterThan(50);
    expect(logs).toContain('watching SimplyPlural');
    expect(logs).toContain('PluralKit rejected the token');
    expect(eventTexts.filter((text) => text.includes('"FrontingSettingsChanged"')).length).toBeGreaterThanOrEqual(2);
    expect(eventTexts.some((text) => text.includes('"sealed"'))).toBe(true);
    expect(responses.length).toBeGreaterThan(20);

    expectNoSecretIn(traces, secrets);
    // Bad input is not echoed either.
    expect(logs).not.toContain(`${bob.simplyPluralToken}x`);
    expect(responses.join('\n')).not.toContain(bob.simplyPluralToken.slice(1));
  });
});
