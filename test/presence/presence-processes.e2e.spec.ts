import { GetStreamFake } from '../fakes/getstream.fake';
import { cli, runCli } from '../support/herald-cli';
import { PresenceHarness, type PresenceUser, settle } from './presence-harness';

const STREAM_ENV = { GETSTREAM_API_KEY: 'cli-test-key', GETSTREAM_API_SECRET: 'cli-test-secret-0123456789' };

describe('presence with a second Herald process: the operator CLI', () => {
  let stream: GetStreamFake;
  let harness: PresenceHarness;
  let ann: PresenceUser;

  beforeAll(async () => {
    stream = await GetStreamFake.start({ apiKey: STREAM_ENV.GETSTREAM_API_KEY, apiSecret: STREAM_ENV.GETSTREAM_API_SECRET });
    // The server has no GetStream credentials: any call the fake sees would come from the CLI.
    harness = await PresenceHarness.start({ env: { GETSTREAM_API_URL: stream.url } });
    ann = await harness.user('560000000000000001');
    stream.addUser(ann.userId);
    const bob = await harness.user('560000000000000002');
    await harness.follow(bob, ann);
    await harness.setStatus(ann, { status: 'in_studio', message: 'tracking', daw: 'Reaper' });
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showLastActive: false } }).expect(200);
    await harness.caughtUp();
  });
  afterAll(async () => {
    await harness?.close();
    await stream?.stop();
  });

  it('runs no presence worker in the CLI: with GetStream credentials it still sends nothing and decides nothing', async () => {
    const head = await harness.headPosition();
    const saved = { ...process.env };
    Object.assign(process.env, STREAM_ENV, { GETSTREAM_API_URL: stream.url });
    try {
      const result = runCli(harness.herald, ['projections', 'status', '--json']);
      expect(result.status).toBe(0);
    } finally {
      process.env = saved;
    }
    await settle(300);
    expect(stream.requests).toEqual([]);
    expect(await harness.headPosition()).toBe(head);
  });

  it('rebuilds the presence read models to the same digest, and reads stay the same', async () => {
    const before = await harness.presenceOf([ann.userId]);
    const first = cli(harness.herald, ['projections', 'rebuild', 'presence']).trim().split('\n')[0];
    const second = cli(harness.herald, ['projections', 'rebuild', 'presence']).trim().split('\n')[0];
    expect(first).toMatch(/^presence [0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(await harness.presenceOf([ann.userId])).toEqual(before);
    const followers = await harness.call('get', `/api/v1/users/${ann.userId}/followers`).expect(200);
    expect(followers.body.items).toHaveLength(1);
  });

  it('documents the presence routes in the OpenAPI document', async () => {
    const { body } = await harness.call('get', '/api/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/presence/status',
        '/api/v1/presence/heartbeat',
        '/api/v1/presence/users',
        '/api/v1/presence/following',
        '/api/v1/me/follows/{userId}',
        '/api/v1/users/{userId}/followers',
        '/api/v1/me/privacy',
      ]),
    );
  });
});
