import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_BOX, type SealedSecret, type SecretBox, SecretForgotten } from '@herald/core';
import { FAKE_CLIENT, FITBIT_FIXTURE_RANGE } from '../fakes/fitbit.fake';
import { OPERATOR_TOKEN } from '../support/herald-test-app';
import { CALLBACK_URL, ImportsHarness } from './imports-harness';

const FITBIT_USER = 'ABC12D';
const ALICE = 'alice';

/** The "Expected imported daily values" table of test/fixtures/fitbit/README.md: header and rows, cell by cell. */
function readmeTable(): { columns: string[]; rows: string[][] } {
  const readme = readFileSync(join(__dirname, '..', 'fixtures', 'fitbit', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Expected imported daily values'));
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());
  return { columns: cells(lines[0]), rows: lines.slice(2).map(cells) };
}

/** A README cell as the value it stands for: `—` none, `07:01` a string, `8423` or `0 (see note)` a number. */
function expectedValue(cell: string): string | number | undefined {
  if (cell === '—') return undefined;
  if (cell.startsWith('`')) return cell.slice(1, -1);
  return Number(cell.split(' ')[0]);
}

describe('Fitbit imports end to end: OAuth, sync, read back', () => {
  let harness: ImportsHarness;
  let aliceToken: string;

  beforeAll(async () => {
    harness = await ImportsHarness.start();
    harness.fitbit.addUser(FITBIT_USER, { fixtures: true, timezone: 'America/New_York' });
    aliceToken = await harness.tokenFor(ALICE);
  });
  afterAll(() => harness.close());

  const sync = (body: object = { ...FITBIT_FIXTURE_RANGE }) => harness.call('post', '/api/v1/plugins/fitbit/sync', { token: aliceToken, body }).expect(200);
  const plugins = async () => (await harness.call('get', '/api/v1/plugins', { token: aliceToken }).expect(200)).body as Array<Record<string, unknown>>;

  it('lists the Fitbit plugin, configured from the environment, with its six fields', async () => {
    const [fitbit] = await plugins();
    expect(fitbit).toMatchObject({ id: 'fitbit', configured: true, connected: false, enabled: false, status: 'not_connected', lastSync: null });
    expect((fitbit.fields as Array<{ key: string }>).map((field) => field.key)).toEqual([
      'fitbit.sleepLength',
      'fitbit.bedTime',
      'fitbit.wakeUpTime',
      'fitbit.steps',
      'fitbit.restingHeartRate',
      'fitbit.activeZoneMinutes',
    ]);
    const admin = (await harness.call('get', '/api/v1/admin/plugins').expect(200)).body as Array<Record<string, any>>;
    expect(admin[0]).toMatchObject({
      id: 'fitbit',
      configured: true,
      setupInfo: { callbackUrl: CALLBACK_URL },
      fields: [
        { id: 'clientId', set: true, source: 'environment', env: 'FITBIT_CLIENT_ID' },
        { id: 'clientSecret', set: true, source: 'environment', env: 'FITBIT_CLIENT_SECRET' },
      ],
    });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const { paths } = (await harness.call('get', '/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(paths).filter((path) => path.includes('plugins') || path.includes('metrics')).sort()).toEqual([
      '/api/v1/admin/plugins',
      '/api/v1/admin/plugins/{pluginId}/config',
      '/api/v1/me/metrics',
      '/api/v1/plugins',
      '/api/v1/plugins/{pluginId}',
      '/api/v1/plugins/{pluginId}/auth',
      '/api/v1/plugins/{pluginId}/callback',
      '/api/v1/plugins/{pluginId}/connect',
      '/api/v1/plugins/{pluginId}/connect-link',
      '/api/v1/plugins/{pluginId}/sync',
    ]);
    expect(Object.keys(paths['/api/v1/plugins/{pluginId}']).sort()).toEqual(['delete', 'patch']);
  });

  it('connects through authorize (PKCE S256, state, HttpOnly cookie) and the callback, sealing the tokens', async () => {
    const begun = await harness.call('get', '/api/v1/plugins/fitbit/auth', { token: aliceToken }).expect(302);
    const authorize = new URL(begun.headers.location as string);
    expect(authorize.origin + authorize.pathname).toBe(`${harness.fitbit.url}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: FAKE_CLIENT.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK_URL,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'activity heartrate sleep profile',
    });
    const setCookie = ([] as string[]).concat(begun.headers['set-cookie'] ?? []).join('\n');
    expect(setCookie).toMatch(/herald_oauth_fitbit=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/api\/v1\/plugins\/fitbit; Expires=.*; HttpOnly; SameSite=Lax/);

    harness.fitbit.nextAuthorization({ userId: FITBIT_USER });
    const { result } = await harness.connect(aliceToken);
    // The browser lands on the console's Integrations page, which says so.
    expect(result.pathname + result.search).toBe('/integrations?connected=fitbit');

    await harness.catchUp();
    const [connected] = await harness.events('IntegrationConnected');
    expect(connected.streamId).toBe(`integration-${ALICE}_fitbit`);
    expect(connected.data).toMatchObject({ pluginId: 'fitbit', timeZone: 'America/New_York', scopes: ['activity', 'heartrate', 'sleep', 'profile'] });
    expect(connected.data.credentials).toEqual({ v: 1, keyId: expect.any(String), iv: expect.any(String), tag: expect.any(String), ct: expect.any(String) });
    expect(await plugins()).toEqual([expect.objectContaining({ connected: true, enabled: true, status: 'ok', lastSync: null })]);
  });

  it('imports the fixture days into exactly the table of the fixture README, cell for cell', async () => {
    const result = (await sync()).body;
    expect(result).toMatchObject({ pluginId: 'fitbit', outcome: 'ok', ...FITBIT_FIXTURE_RANGE, daysRead: 4, valuesImported: 19, problems: [], retryAt: null });
    await harness.catchUp();

    const { columns, rows } = readmeTable();
    expect(columns).toEqual(['date', 'fitbit.sleepLength', 'fitbit.bedTime', 'fitbit.wakeUpTime', 'fitbit.steps', 'fitbit.restingHeartRate']);
    const metrics = columns.slice(1);
    const { days } = (await harness.call('get', `/api/v1/me/metrics?from=2025-03-10&to=2025-03-13&metrics=${metrics.join(',')}`, { token: aliceToken }).expect(200)).body as {
      days: Array<{ date: string; values: Record<string, unknown> }>;
    };
    const table = rows.map(([date]) => {
      const values = days.find((day) => day.date === date)?.values ?? {};
      return [date, ...metrics.map((metric) => values[metric])];
    });
    expect(table).toEqual(rows.map(([date, ...cells]) => [date, ...cells.map(expectedValue)]));
    expect(days.map((day) => day.date)).toEqual(rows.map(([date]) => date));

    // The README's optional section: Active Zone Minutes 34, 54, nothing, 8.
    const azm = (await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13&metrics=fitbit.activeZoneMinutes', { token: aliceToken }).expect(200)).body;
    expect(azm.days).toEqual([
      { date: '2025-03-10', values: { 'fitbit.activeZoneMinutes': 34 } },
      { date: '2025-03-11', values: { 'fitbit.activeZoneMinutes': 54 } },
      { date: '2025-03-13', values: { 'fitbit.activeZoneMinutes': 8 } },
    ]);
  });

  it('changes nothing when the same days are imported again', async () => {
    const metricsBefore = (await harness.call('get', '/api/v1/me/metrics?from=2025-03-01&to=2025-03-31', { token: aliceToken }).expect(200)).body;
    const eventsBefore = (await harness.events()).length;

    const again = (await sync()).body;
    expect(again).toMatchObject({ outcome: 'ok', daysRead: 4, valuesImported: 0 });
    await harness.catchUp();

    expect(await harness.events('DailyMetricsImported')).toHaveLength(1);
    expect((await harness.events()).length).toBe(eventsBefore);
    expect((await harness.call('get', '/api/v1/me/metrics?from=2025-03-01&to=2025-03-31', { token: aliceToken }).expect(200)).body).toEqual(metricsBefore);
    const [fitbit] = await plugins();
    expect(fitbit).toMatchObject({ status: 'ok', lastSync: again.syncedAt, lastAttempt: again.syncedAt, problems: [] });
  });

  it('answers the metrics as CSV when asked', async () => {
    const csv = await harness
      .call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13&metrics=fitbit.steps,fitbit.sleepLength,fitbit.restingHeartRate', { token: aliceToken })
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')).toEqual([
      'date,fitbit.steps,fitbit.sleepLength,fitbit.restingHeartRate',
      '2025-03-10,8423,07:01,58',
      '2025-03-11,12057,06:05,61',
      '2025-03-12,0,,',
      '2025-03-13,5310,10:02,57',
      '',
    ]);
    const byQuery = await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-10&format=csv', { token: aliceToken }).expect(200);
    expect(byQuery.text.split('\r\n')[0]).toBe('date,fitbit.activeZoneMinutes,fitbit.bedTime,fitbit.restingHeartRate,fitbit.sleepLength,fitbit.steps,fitbit.wakeUpTime');
  });

  it('refuses bad input field by field', async () => {
    const problems = [
      await harness.call('post', '/api/v1/plugins/fitbit/sync', { token: aliceToken, body: { startDate: '2025-02-30' } }),
      await harness.call('post', '/api/v1/plugins/fitbit/sync', { token: aliceToken, body: { startDate: '2025-01-01', endDate: '2025-04-11' } }),
      await harness.call('post', '/api/v1/plugins/fitbit/sync', { token: aliceToken, body: { startDate: '2025-03-13', endDate: '2025-03-10' } }),
      await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13&metrics=steps', { token: aliceToken }),
      await harness.call('get', '/api/v1/me/metrics?from=2025-03-13&to=2025-03-10', { token: aliceToken }),
    ];
    expect(problems.map((response) => [response.status, response.body.errors?.[0]?.field])).toEqual([
      [400, 'startDate'],
      [400, 'endDate'],
      [400, 'startDate'],
      [400, 'metrics'],
      [400, 'to'],
    ]);
    await harness.call('post', '/api/v1/plugins/strava/sync', { token: aliceToken, body: {} }).expect(404);
    // The operator token has no user of its own.
    expect((await harness.call('get', '/api/v1/plugins').expect(403)).body.type).toBe('https://herald.dev/problems/auth-no-user');
    await harness.call('get', '/api/v1/admin/plugins', { token: aliceToken }).expect(403);
  });

  it('pauses and resumes the hourly syncs', async () => {
    await harness.call('patch', '/api/v1/plugins/fitbit', { token: aliceToken, body: { enabled: false } }).expect(204);
    await harness.catchUp();
    expect(await plugins()).toEqual([expect.objectContaining({ connected: true, enabled: false, status: 'disabled' })]);
    await harness.call('patch', '/api/v1/plugins/fitbit', { token: aliceToken, body: { enabled: true } }).expect(204);
    await harness.catchUp();
    expect(await plugins()).toEqual([expect.objectContaining({ enabled: true, status: 'ok' })]);
  });

  it('disconnects: the tokens are shredded and revoked, the imported values stay', async () => {
    const [connected] = await harness.events('IntegrationConnected');
    await harness.call('delete', '/api/v1/plugins/fitbit', { token: aliceToken }).expect(204);
    await harness.catchUp();

    expect(await plugins()).toEqual([expect.objectContaining({ connected: false, status: 'not_connected', lastSync: null })]);
    const secrets = harness.app.get<SecretBox>(SECRET_BOX);
    await expect(secrets.open(`integration-${ALICE}_fitbit`, connected.data.credentials as SealedSecret)).rejects.toBeInstanceOf(SecretForgotten);
    expect(harness.fitbit.count({ kind: 'revoke', status: 200 })).toBe(1);
    const { days } = (await harness.call('get', '/api/v1/me/metrics?from=2025-03-10&to=2025-03-13', { token: aliceToken }).expect(200)).body;
    expect(days).toHaveLength(4);
    await harness.call('post', '/api/v1/plugins/fitbit/sync', { token: aliceToken, body: {} }).expect(404);
    await harness.call('delete', '/api/v1/plugins/fitbit', { token: aliceToken }).expect(404);
  });
});

describe('operator configuration of plugins', () => {
  let harness: ImportsHarness;

  beforeAll(async () => {
    harness = await ImportsHarness.start({ credentials: 'none' });
    harness.fitbit.addUser(FITBIT_USER, { fixtures: true });
  });
  afterAll(() => harness.close());

  const adminView = async () => ((await harness.call('get', '/api/v1/admin/plugins').expect(200)).body as Array<Record<string, any>>)[0];

  it('seals the settings in the log, shows them only as set, and lets users connect with them', async () => {
    const bob = await harness.tokenFor('bob');
    expect(await adminView()).toMatchObject({ configured: false, fields: [{ set: false, source: null }, { set: false, source: null }] });
    const refused = await harness.call('get', '/api/v1/plugins/fitbit/auth', { token: bob }).expect(409);
    expect(refused.body.type).toBe('https://herald.dev/problems/plugin-not-configured');

    const configured = await harness
      .call('put', '/api/v1/admin/plugins/fitbit/config', { body: { values: { clientId: FAKE_CLIENT.clientId, clientSecret: FAKE_CLIENT.clientSecret } } })
      .expect(200);
    expect(configured.body).toMatchObject({ configured: true, fields: [{ set: true, source: 'api' }, { set: true, source: 'api' }] });
    expect(JSON.stringify(configured.body)).not.toContain(FAKE_CLIENT.clientSecret);
    const [event] = await harness.events('PluginConfigured');
    expect(event.streamId).toBe('config-global');
    expect(event.data).toMatchObject({ pluginId: 'fitbit', changed: ['clientId', 'clientSecret'] });
    expect(JSON.stringify(event)).not.toContain(FAKE_CLIENT.clientSecret);
    expect(JSON.stringify(event)).not.toContain(FAKE_CLIENT.clientId);

    const { result } = await harness.connect(bob);
    expect(result.searchParams.get('error')).toBeNull();

    const cleared = await harness.call('put', '/api/v1/admin/plugins/fitbit/config', { body: { values: { clientSecret: null } } }).expect(200);
    expect(cleared.body).toMatchObject({ configured: false, fields: [{ set: true }, { set: false, source: null }] });
  });

  it('refuses unknown settings and unusable values without repeating them', async () => {
    const pasted = 'a-secret-pasted-into-the-wrong-place';
    const response = await harness
      .call('put', '/api/v1/admin/plugins/fitbit/config', { body: { values: { [pasted]: 'x', clientSecret: ` ${pasted}\n`, clientId: 42 } } })
      .expect(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['values', 'values.clientSecret', 'values.clientId']);
    expect(JSON.stringify(response.body)).not.toContain(pasted);
    await harness.call('put', '/api/v1/admin/plugins/fitbit/config', { body: { values: {} } }).expect(400);
    await harness.call('put', '/api/v1/admin/plugins/fitbit/config', { token: OPERATOR_TOKEN, body: {} }).expect(400);
  });
});
