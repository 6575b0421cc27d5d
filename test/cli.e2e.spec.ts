import request from 'supertest';
import { OPERATOR_TOKEN, bearer, startHerald, type HeraldUnderTest } from './support/herald-test-app';
import { cli, createToken, runCli, waitForToken } from './support/herald-cli';
import { testEvent } from '@herald/core/testing';

/** herald-cli against the data directory of a running server, as an operator uses it. */
describe('herald-cli', () => {
  let herald: HeraldUnderTest;

  beforeAll(async () => {
    herald = await startHerald();
  });
  afterAll(() => herald.close());

  it('issues a token the running server accepts, lists it without the secret, and revokes it', async () => {
    const token = createToken(herald, '501', ['user:501', 'audit:*']);
    expect(token).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    const server = herald.app.getHttpServer();
    await waitForToken(server, token);
    const me = await request(server).get('/api/v1/me').set(bearer(token)).expect(200);
    expect(me.body).toEqual({ userId: '501', scopes: ['user:501', 'audit:*'] });

    await herald.projections.waitUntilCaughtUp();
    const listed = cli(herald, ['tokens', 'list', '--user', '501', '--json']).trim().split('\n').map((line) => JSON.parse(line));
    expect(listed).toEqual([expect.objectContaining({ userId: '501', scopes: ['user:501', 'audit:*'], revoked: false })]);
    expect(JSON.stringify(listed)).not.toContain(token);

    cli(herald, ['tokens', 'revoke', '--user', '501', '--token-id', listed[0].tokenId]);
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await request(server).get('/api/v1/me').set(bearer(token))).status === 401) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the revoked token still works');
  });

  it('shows projection status, rebuilds with progress on stderr, and prints the same digest as before', async () => {
    await request(herald.app.getHttpServer()).post('/api/v1/users/502/tokens').set(bearer(OPERATOR_TOKEN)).send({}).expect(201);
    await herald.projections.waitUntilCaughtUp();
    const status = JSON.parse(cli(herald, ['projections', 'status', '--json']));
    expect(status).toContainEqual({ name: 'api-tokens', position: await herald.eventStore.headPosition(), lag: 0 });
    const registered = herald.projections.status().map((projection) => projection.name);
    expect(status.map((projection: { name: string }) => projection.name).sort()).toEqual(registered.sort());
    for (const projection of status) expect(projection.lag).toBe(0);
    const before = cli(herald, ['projections', 'digest']).trim();
    expect(before).toMatch(/^[0-9a-f]{64}$/);

    const rebuild = runCli(herald, ['projections', 'rebuild', 'api-tokens']);
    expect(rebuild.status).toBe(0);
    expect(rebuild.stderr).toMatch(/api-tokens \[.*\] 100% \| \d+ events\/s \| ETA/);
    expect(rebuild.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^api-tokens [0-9a-f]{64}$/), `digest ${before}`]);
  });

  it('exports the log as NDJSON from a position', async () => {
    const appended = await herald.eventStore.append('guild-9', [testEvent('GuildConfigured', { countingMode: 'total' })], { expectedRevision: 'no_stream' });
    const lines = cli(herald, ['events', 'export', '--from', String(appended.position)]).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ streamId: 'guild-9', type: 'GuildConfigured', revision: 0, position: appended.position }),
    ]);
  });

  it.each([
    [['audit', '--guild', 'abc'], /--guild must be a Discord id/],
    [['audit', '--guild', '1', '--until', 'yesterday'], /--until must be an ISO-8601 time/],
    [['events', 'export', '--from', '-1'], /--from must be a whole number/],
    [['tokens', 'create', '--user', 'a b'], /--user must be 1-64 letters/],
    [['tokens', 'create', '--user', '5', '--scope', 'root'], /scope/i],
    [['projections', 'rebuild', 'nope'], /no projection is named nope/],
    [['frobnicate'], /unknown command/],
  ])('refuses %j with a message and a non-zero exit, changing nothing', async (args, message) => {
    const before = await herald.eventStore.headPosition();
    const result = runCli(herald, args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(await herald.eventStore.headPosition()).toBe(before);
  });
});
