import { READ_STORE, type ReadStore } from '@herald/readstore';
import { readModelDigest } from '@herald/projections';
import { waitFor } from '@herald/core/testing';
import { ConsoleHarness } from './console-harness';

interface ProjectionItem {
  name: string;
  state: string;
  position: number | null;
  lag: number;
  rebuild?: { startedAt: string; processed: number; finishedAt?: string; error?: string };
}

describe('the projections, for the operator over REST', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
    await harness.registerGuild('813425648685547541', 'Rebuild Hall');
    for (const userId of ['ana', 'ben', 'cat']) await harness.call('post', `/api/v1/users/${userId}/tokens`, { body: {} }).expect(201);
    await harness.herald.projections.waitUntilCaughtUp();
  });
  afterAll(() => harness.close());

  const list = async (): Promise<ProjectionItem[]> => (await harness.call('get', '/api/v1/admin/projections').expect(200)).body.items;
  const item = async (name: string) => (await list()).find((projection) => projection.name === name)!;

  it('lists every projection with its state, checkpoint and lag', async () => {
    const items = await list();
    expect(items.map((projection) => projection.name)).toEqual(expect.arrayContaining(['api-tokens', 'registered-guilds', 'wins']));
    expect(items.map((projection) => projection.name).sort()).toEqual(harness.herald.projections.status().map((status) => status.name).sort());
    expect(await item('api-tokens')).toEqual({ name: 'api-tokens', state: 'running', position: expect.any(Number), lag: 0 });
  });

  it('rebuilds a projection in the background: 202 at once, its progress in the list, the same read model at the end', async () => {
    const readStore = harness.herald.app.get<ReadStore>(READ_STORE);
    const collections = ['api_tokens'];
    const before = await readModelDigest(readStore, collections);

    const started = await harness.call('post', '/api/v1/admin/projections/api-tokens/rebuild').expect(202);
    expect(started.body).toEqual({ name: 'api-tokens', startedAt: expect.any(String) });

    const done = await waitFor('the rebuild to finish', async () => {
      const projection = await item('api-tokens');
      return projection.rebuild?.finishedAt ? projection : null;
    });
    const tokensIssued = (await harness.events('ApiTokenIssued')).length;
    expect(done.rebuild).toEqual({ startedAt: started.body.startedAt, processed: tokensIssued, finishedAt: expect.any(String) });
    expect(await readModelDigest(readStore, collections)).toBe(before);

    // Following the log resumes after the rebuild: a token issued now works.
    const token = (await harness.call('post', '/api/v1/users/dan/tokens', { body: {} }).expect(201)).body.token as string;
    await harness.herald.projections.waitUntilCaughtUp();
    await harness.call('get', '/api/v1/me', { token }).expect(200);
  });

  it('answers 409 while another process (the CLI) rebuilds the projection', async () => {
    // The CLI holds a projection's lease while it rebuilds it.
    const leases = harness.herald.app.get<ReadStore>(READ_STORE).global().collection('_projection_leases');
    await leases.upsert({ id: 'wins', holder: 'rebuild-by-the-cli', until: Date.now() + 60_000 });
    try {
      const refused = await harness.call('post', '/api/v1/admin/projections/wins/rebuild').expect(409);
      expect(refused.body).toMatchObject({ status: 409, type: 'https://herald.dev/problems/projection-rebuild-running' });
    } finally {
      await leases.delete('wins');
    }
  });

  it('answers 404 for a projection it does not know, and 400 for a name that could not be one', async () => {
    await harness.call('post', '/api/v1/admin/projections/no-such-projection/rebuild').expect(404);
    const invalid = await harness.call('post', '/api/v1/admin/projections/Not_A_Name/rebuild').expect(400);
    expect(invalid.body.errors).toEqual([{ field: 'name', messages: ['name must be 1-64 lower-case letters, digits or -'] }]);
  });

  it('is for the operator only: a user session gets 403, an operator session with its CSRF token gets through', async () => {
    const user = await harness.signIn({ user: { id: '80351110224678999', username: 'eve' } });
    await harness.asBrowser('get', '/api/v1/admin/projections', user).expect(403);
    await harness.asBrowser('post', '/api/v1/admin/projections/wins/rebuild', user).expect(403);

    const operator = await harness.signInOperator();
    await harness.asBrowser('get', '/api/v1/admin/projections', operator).expect(200);
    await harness.asBrowser('post', '/api/v1/admin/projections/wins/rebuild', operator, { csrf: false }).expect(403);
    await harness.asBrowser('post', '/api/v1/admin/projections/wins/rebuild', operator).expect(202);
    await waitFor('the rebuild to finish', async () => (await item('wins')).rebuild?.finishedAt);
  });
});
