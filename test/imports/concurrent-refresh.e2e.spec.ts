import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { ManualClock } from '@herald/core';
import { SyncScheduler } from '@herald/imports';
import { FITBIT_FIXTURE_RANGE } from '../fakes/fitbit.fake';
import { bearer } from '../support/herald-test-app';
import { fitbitEnv, ImportsHarness, startSecondHerald } from './imports-harness';

const HOUR_MS = 3_600_000;
/** Connected tokens live eight hours: this is a minute before they expire, inside Herald's refresh margin. */
const NEARLY_EXPIRED_MS = 8 * HOUR_MS - 60_000;

const syncOn = (app: NestExpressApplication, token: string) =>
  request(app.getHttpServer()).post('/api/v1/plugins/fitbit/sync').set(bearer(token)).send({ ...FITBIT_FIXTURE_RANGE });

/**
 * Two processes on one store, and a refresh token that can be used once: however many syncs of one integration need new tokens at the
 * same moment (a manual sync, the scheduler, a second Herald process), Fitbit sees one refresh.
 */
describe('concurrent syncs of one integration', () => {
  const clock = new ManualClock(new Date());
  let harness: ImportsHarness;

  beforeAll(async () => {
    harness = await ImportsHarness.start({ clock });
  });
  afterAll(() => harness.close());

  async function expiringIntegration(userId: string, fitbitUser: string): Promise<string> {
    harness.fitbit.addUser(fitbitUser, { fixtures: true });
    const token = await harness.connectedUser(userId, fitbitUser);
    clock.advance(NEARLY_EXPIRED_MS);
    return token;
  }

  async function refreshEvents(userId: string): Promise<string[]> {
    return (await harness.events())
      .filter((event) => event.streamId === `integration-${userId}_fitbit` && event.type.startsWith('Token'))
      .map((event) => event.type);
  }

  it('refreshes once for three manual syncs and a scheduled round in one process', async () => {
    const token = await expiringIntegration('kim', 'FBKIM');
    const [first, second, third, round] = await Promise.all([
      syncOn(harness.app, token),
      syncOn(harness.app, token),
      syncOn(harness.app, token),
      harness.app.get(SyncScheduler).runRound(),
    ]);

    expect(harness.fitbit.refreshCount('FBKIM')).toBe(1);
    expect(await refreshEvents('kim')).toEqual(['TokenRefreshStarted', 'TokensRefreshed']);
    for (const response of [first, second, third]) expect(response.body).toMatchObject({ outcome: 'ok' });
    // The round synced this integration too (its own window, the last 7 days), unless a manual sync was just before it.
    expect(round.synced + round.skipped).toBe(round.integrations);
    expect(harness.fitbit.count({ userId: 'FBKIM', status: 401 })).toBe(0);
  });

  it('refreshes once when two Herald processes on the same store sync at the same moment', async () => {
    const token = await expiringIntegration('lena', 'FBLENA');
    const second = await startSecondHerald(harness.herald, fitbitEnv(harness.fitbit));
    try {
      const answers = await Promise.all([
        syncOn(harness.app, token),
        syncOn(second.app, token),
        syncOn(second.app, token),
        syncOn(harness.app, token),
      ]);

      expect(answers.map((answer) => [answer.status, answer.body.outcome])).toEqual(Array.from({ length: 4 }, () => [200, 'ok']));
      expect(harness.fitbit.refreshCount('FBLENA')).toBe(1);
      expect(await refreshEvents('lena')).toEqual(['TokenRefreshStarted', 'TokensRefreshed']);
      expect(answers.reduce((sum, answer) => sum + (answer.body.valuesImported as number), 0)).toBe(19);
      expect(harness.fitbit.count({ userId: 'FBLENA', status: 401 })).toBe(0);
    } finally {
      await second.app.close();
    }
  });

  it('completes on a second instance a login begun on the first (the pending state is in the shared store)', async () => {
    harness.fitbit.addUser('FBMIA', { fixtures: true });
    const token = await harness.tokenFor('mia');
    harness.fitbit.nextAuthorization({ userId: 'FBMIA' });
    const { callback, cookie } = await harness.beginAndAuthorize(token);
    const second = await startSecondHerald(harness.herald, fitbitEnv(harness.fitbit));
    try {
      const answer = await request(second.app.getHttpServer()).get(callback.pathname + callback.search).set('Cookie', cookie).expect(302);
      expect(answer.headers.location).toBe('/integrations?connected=fitbit');
      await second.projections.waitUntilCaughtUp();
      expect((await second.eventStore.readStream('integration-mia_fitbit')).map((event) => event.type)).toEqual(['IntegrationConnected']);
    } finally {
      await second.app.close();
    }
  });
});
