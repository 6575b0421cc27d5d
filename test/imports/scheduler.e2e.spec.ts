import { ManualClock } from '@herald/core';
import { SyncScheduler, SyncStatusStore } from '@herald/imports';
import { waitFor } from '@herald/core/testing';
import { ImportsHarness } from './imports-harness';

const HOUR_MS = 3_600_000;

describe('the hourly import rounds', () => {
  const clock = new ManualClock('2026-03-16T12:30:00.000Z');
  let harness: ImportsHarness;
  let scheduler: SyncScheduler;

  beforeAll(async () => {
    harness = await ImportsHarness.start({ clock });
    scheduler = harness.app.get(SyncScheduler);
  });
  afterAll(() => harness.close());

  async function connected(userId: string, options: { timezone?: string } = {}): Promise<string> {
    harness.fitbit.addUser(`FB${userId.toUpperCase()}`, { generated: true, timezone: options.timezone });
    return harness.connectedUser(userId, `FB${userId.toUpperCase()}`);
  }

  const importsOf = async (userId: string) => (await harness.events('DailyMetricsImported')).filter((event) => event.streamId === `integration-${userId}_fitbit`);

  it("syncs every enabled integration's last 7 days in the user's time zone, and leaves paused and dead ones alone", async () => {
    await connected('olga', { timezone: 'Pacific/Auckland' });
    await connected('pete');
    const paused = await connected('quinn');
    await harness.call('patch', '/api/v1/plugins/fitbit', { token: paused, body: { enabled: false } }).expect(204);
    await connected('rita');
    harness.fitbit.revokeRefreshTokens('FBRITA');
    harness.fitbit.expireAccessTokens('FBRITA');
    await harness.catchUp();

    const first = await scheduler.runRound();
    expect(first).toMatchObject({ integrations: 3, synced: 3, skipped: 0, outcomes: { ok: 2, reconnect_needed: 1 } });
    await harness.catchUp();

    // 12:30 UTC on the 16th is 01:30 on the 17th in Auckland: Olga's week ends a day later than Pete's.
    const [olga] = await importsOf('olga');
    expect(olga.data).toMatchObject({ startDate: '2026-03-11', endDate: '2026-03-17' });
    expect((olga.data.days as unknown[]).length).toBe(7);
    const [pete] = await importsOf('pete');
    expect(pete.data).toMatchObject({ startDate: '2026-03-10', endDate: '2026-03-16' });
    expect(olga.metadata).toMatchObject({ source: 'scheduler', userId: 'olga' });
    expect(await importsOf('quinn')).toEqual([]);
    expect(harness.fitbit.count({ userId: 'FBQUINN', kind: 'steps' })).toBe(0);

    // Rita's refresh token was dead: she waits for a reconnection and drops out of the rounds.
    const second = await scheduler.runRound();
    expect(second).toMatchObject({ integrations: 2, synced: 0, skipped: 2 });
  });

  it('syncs again an interval later, and answers a round already running with that round', async () => {
    clock.advance(HOUR_MS);
    const [round, same] = [scheduler.runRound(), scheduler.runRound()];
    expect(same).toBe(round);
    expect(await round).toMatchObject({ integrations: 2, synced: 2, outcomes: { ok: 2 } });
    const status = await harness.app.get(SyncStatusStore).get({ userId: 'pete', pluginId: 'fitbit' });
    expect(status).toMatchObject({ outcome: 'ok', lastSyncAt: clock.now().toISOString(), runningUntil: null, quota: { limit: 150 } });
  });
});

describe('the import scheduler on its own', () => {
  let harness: ImportsHarness;

  beforeAll(async () => {
    harness = await ImportsHarness.start({ env: { IMPORTS_SYNC_INTERVAL_MS: '1500' } });
  });
  afterAll(() => harness.close());

  it('starts rounds by itself, late by a little jitter, with no request from anyone', async () => {
    harness.fitbit.addUser('FBSAM', { generated: true });
    const token = await harness.connectedUser('sam', 'FBSAM');
    const view = await waitFor(
      'a scheduled round synced sam',
      async () => ((await harness.call('get', '/api/v1/plugins', { token }).expect(200)).body as Array<{ lastSync: string | null }>)[0].lastSync,
      6_000,
    );
    expect(view).toEqual(expect.any(String));
    expect((await harness.events('DailyMetricsImported'))[0].metadata.source).toBe('scheduler');
  });
});
