import { ManualClock } from '@herald/core';
import { SyncScheduler } from '@herald/imports';
import { FITBIT_FIXTURE_RANGE } from '../fakes/fitbit.fake';
import { ImportsHarness } from './imports-harness';

const HOUR_MS = 3_600_000;

/**
 * Fitbit misbehaving, one user each: an expired access token, a token about to expire, a used
 * refresh token, a 429 with its reset, a spent quota, 5xx answers, scopes not granted. Each ends
 * as the issue states, and GET /api/v1/plugins shows it.
 */
describe('Fitbit imports when Fitbit misbehaves', () => {
  const clock = new ManualClock(new Date());
  let harness: ImportsHarness;

  beforeAll(async () => {
    harness = await ImportsHarness.start({ clock });
  });
  afterAll(() => harness.close());

  /** A Herald user connected to a Fitbit user of their own with the fixture data. */
  async function connectedUser(name: string, grants?: string[]): Promise<{ token: string; fitbitUser: string }> {
    const fitbitUser = `FB${name.toUpperCase()}`;
    harness.fitbit.addUser(fitbitUser, { fixtures: true, grants });
    return { token: await harness.connectedUser(name, fitbitUser), fitbitUser };
  }

  const sync = async (token: string) =>
    (await harness.call('post', '/api/v1/plugins/fitbit/sync', { token, body: { ...FITBIT_FIXTURE_RANGE } }).expect(200)).body as Record<string, any>;

  async function fitbitView(token: string): Promise<Record<string, any>> {
    await harness.catchUp();
    const [view] = (await harness.call('get', '/api/v1/plugins', { token }).expect(200)).body as Array<Record<string, any>>;
    return view;
  }

  it('refreshes an expired access token once and retries the requests once', async () => {
    const { token, fitbitUser } = await connectedUser('erin');
    harness.fitbit.expireAccessTokens(fitbitUser);

    expect(await sync(token)).toMatchObject({ outcome: 'ok', daysRead: 4, valuesImported: 19 });
    expect(harness.fitbit.refreshCount(fitbitUser)).toBe(1);
    expect(harness.fitbit.count({ userId: fitbitUser, status: 401 })).toBe(4);
    expect(harness.fitbit.count({ userId: fitbitUser, kind: 'steps', status: 200 })).toBe(1);
    const refreshes = (await harness.events()).filter((event) => event.streamId === 'integration-erin_fitbit').map((event) => event.type);
    expect(refreshes).toEqual(['IntegrationConnected', 'TokenRefreshStarted', 'TokensRefreshed', 'DailyMetricsImported']);
    expect(await fitbitView(token)).toMatchObject({ status: 'ok', problems: [] });
  });

  it('refreshes tokens shortly before they expire, before any request fails', async () => {
    const { token, fitbitUser } = await connectedUser('frank');
    clock.advance(8 * HOUR_MS - 4 * 60_000);
    try {
      expect(await sync(token)).toMatchObject({ outcome: 'ok' });
      expect(harness.fitbit.refreshCount(fitbitUser)).toBe(1);
      expect(harness.fitbit.count({ userId: fitbitUser, status: 401 })).toBe(0);
      // The new tokens are good for eight hours: the next sync refreshes nothing.
      await sync(token);
      expect(harness.fitbit.refreshCount(fitbitUser)).toBe(1);
    } finally {
      clock.advance(-(8 * HOUR_MS - 4 * 60_000));
    }
  });

  it('asks for a reconnection when the refresh token was used (invalid_grant), and stops retrying', async () => {
    const { token, fitbitUser } = await connectedUser('grace');
    harness.fitbit.revokeRefreshTokens(fitbitUser);
    harness.fitbit.expireAccessTokens(fitbitUser);

    expect(await sync(token)).toMatchObject({ outcome: 'reconnect_needed', problems: [{ code: 'reconnect_needed' }], valuesImported: 0 });
    expect(await fitbitView(token)).toMatchObject({ connected: true, status: 'reconnect_needed' });
    const [needed] = await harness.events('IntegrationReconnectNeeded');
    expect(needed.data).toMatchObject({ reason: 'refresh_token_rejected' });

    const requests = harness.fitbit.count({ userId: fitbitUser });
    expect(await sync(token)).toMatchObject({ outcome: 'reconnect_needed' });
    expect(harness.fitbit.count({ userId: fitbitUser })).toBe(requests);
    expect(harness.fitbit.refreshCount(fitbitUser)).toBe(1);

    // Connecting again clears it.
    harness.fitbit.nextAuthorization({ userId: fitbitUser });
    await harness.connect(token);
    expect(await fitbitView(token)).toMatchObject({ status: 'ok', problems: [] });
    expect(await sync(token)).toMatchObject({ outcome: 'ok' });
  });

  it('waits until the reset after a 429, making no request meanwhile', async () => {
    const { token, fitbitUser } = await connectedUser('heidi');
    harness.fitbit.inject('data', { status: 429, resetSeconds: 1312, kind: 'steps' });

    const limited = await sync(token);
    const expectedRetry = new Date(clock.now().getTime() + 1312 * 1000).toISOString();
    expect(limited).toMatchObject({ outcome: 'rate_limited', retryAt: expectedRetry, valuesImported: 0, problems: [{ code: 'rate_limited' }] });
    expect(await fitbitView(token)).toMatchObject({ status: 'rate_limited', retryAt: expectedRetry });

    const requests = harness.fitbit.count({ userId: fitbitUser });
    expect(await sync(token)).toMatchObject({ outcome: 'rate_limited', retryAt: expectedRetry });
    const round = await harness.app.get(SyncScheduler).runRound();
    expect(round.outcomes.rate_limited ?? 0).toBe(0);
    expect(harness.fitbit.count({ userId: fitbitUser })).toBe(requests);

    clock.advance(1313 * 1000);
    try {
      expect(await sync(token)).toMatchObject({ outcome: 'ok', valuesImported: 19 });
      expect(await fitbitView(token)).toMatchObject({ status: 'ok', retryAt: null });
    } finally {
      clock.advance(-1313 * 1000);
    }
  });

  it("keeps to the user's hourly budget from Fitbit's rate-limit headers", async () => {
    const { token, fitbitUser } = await connectedUser('ivan');
    // Other requests this hour left 10: this sync's four leave 6, under the reserve Herald keeps.
    harness.fitbit.useQuota(fitbitUser, 140);
    expect(await sync(token)).toMatchObject({ outcome: 'ok' });
    const requests = harness.fitbit.count({ userId: fitbitUser });
    const refused = await sync(token);
    expect(refused).toMatchObject({ outcome: 'rate_limited', retryAt: expect.any(String) });
    expect(harness.fitbit.count({ userId: fitbitUser })).toBe(requests);
    expect(harness.fitbit.count({ userId: fitbitUser, status: 429 })).toBe(0);
  });

  it('reports a 5xx as an error of the sync and of the status, never as success', async () => {
    const { token, fitbitUser } = await connectedUser('judy');
    // Every endpoint fails all three attempts.
    for (const kind of ['sleep', 'steps', 'heart', 'azm'] as const) harness.fitbit.inject('data', ...Array.from({ length: 3 }, () => ({ status: 503, kind })));

    expect(await sync(token)).toMatchObject({ outcome: 'error', valuesImported: 0, problems: [{ code: 'upstream_unavailable', message: 'Fitbit did not answer in time; the next sync tries again.' }] });
    expect(await fitbitView(token)).toMatchObject({ status: 'error', lastSync: null, problems: [{ code: 'upstream_unavailable' }] });
    expect(await harness.events('DailyMetricsImported')).not.toContainEqual(expect.objectContaining({ streamId: 'integration-judy_fitbit' }));
    expect(harness.fitbit.count({ userId: fitbitUser, status: 503 })).toBe(12);

    // One endpoint failing fails its fields only.
    harness.fitbit.inject('data', ...Array.from({ length: 3 }, () => ({ status: 500, kind: 'heart' as const })));
    const partial = await sync(token);
    expect(partial).toMatchObject({ outcome: 'partial', valuesImported: 16, problems: [{ code: 'fields_unavailable', fields: ['restingHeartRate'] }] });
    expect(await fitbitView(token)).toMatchObject({ status: 'partial', lastSync: partial.syncedAt });

    expect(await sync(token)).toMatchObject({ outcome: 'ok', valuesImported: 3 });
    expect(await fitbitView(token)).toMatchObject({ status: 'ok', problems: [] });
  });

  it('imports what the granted scopes allow and says which fields need another permission', async () => {
    const { token, fitbitUser } = await connectedUser('mallory', ['activity', 'profile']);
    const result = await sync(token);
    expect(result).toMatchObject({
      outcome: 'partial',
      valuesImported: 7,
      problems: [
        { code: 'fields_unavailable', fields: ['sleepLength', 'bedTime', 'wakeUpTime'] },
        { code: 'fields_unavailable', fields: ['restingHeartRate'] },
      ],
    });
    // Not granted: not even asked.
    expect(harness.fitbit.count({ userId: fitbitUser, kind: 'sleep' })).toBe(0);
  });

  it('never erases a stored value with one the service no longer gives', async () => {
    const { token, fitbitUser } = await connectedUser('nina');
    expect(await sync(token)).toMatchObject({ outcome: 'ok', valuesImported: 19 });
    await harness.catchUp();
    const before = (await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13', { token }).expect(200)).body;

    // Reconnected with activity only: sleep and heart rate are no longer read at all.
    harness.fitbit.nextAuthorization({ userId: fitbitUser, grants: ['activity'] });
    await harness.connect(token);
    expect(await sync(token)).toMatchObject({ outcome: 'partial', valuesImported: 0 });
    await harness.catchUp();
    expect((await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13', { token }).expect(200)).body).toEqual(before);
    expect(before.days[0].values).toMatchObject({ 'fitbit.restingHeartRate': 58, 'fitbit.sleepLength': '07:01' });
  });
});
