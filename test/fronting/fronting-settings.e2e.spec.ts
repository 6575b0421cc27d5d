import { waitFor } from '@herald/core/testing';
import { FrontingHarness, type FrontingUser, randomToken } from './fronting-harness';

interface BadSettings {
  name: string;
  /** Sent as JSON. */
  body: unknown;
  /** The field the problem must name. */
  field: string;
  /** A phrase the message for that field must hold. */
  says: string;
}

const spToken = randomToken();

const cases: BadSettings[] = [
  { name: 'a SimplyPlural token that is too short', body: { simplyPluralToken: 'abc123' }, field: 'simplyPluralToken', says: '64 letters' },
  { name: 'a SimplyPlural token with a space in it', body: { simplyPluralToken: `${spToken.slice(0, 30)} ${spToken.slice(31)}` }, field: 'simplyPluralToken', says: '64 letters' },
  { name: 'a PluralKit token that is the pk;token command', body: { pluralKitToken: 'pk;token' }, field: 'pluralKitToken', says: 'pk;token' },
  { name: 'a PluralKit API key without its signature', body: { pluralKitToken: 'pkapi:eyJzeXN0ZW0iOjF9' }, field: 'pluralKitToken', says: 'pkapi:' },
  { name: 'a token that is a number', body: { pluralKitToken: 12345 }, field: 'pluralKitToken', says: 'PluralKit token' },
  { name: 'the same token for both services', body: { simplyPluralToken: spToken, pluralKitToken: spToken }, field: 'pluralKitToken', says: 'must differ' },
  { name: 'an unknown field', body: { enableToPluralkit: true }, field: 'enableToPluralkit', says: 'should not exist' },
  { name: 'enableToPluralKit as text', body: { enableToPluralKit: 'yes' }, field: 'enableToPluralKit', says: 'boolean' },
  { name: 'enableToPluralKit as null', body: { enableToPluralKit: null }, field: 'enableToPluralKit', says: 'boolean' },
  { name: 'enabling without tokens', body: { enableToPluralKit: true }, field: 'enableToPluralKit', says: 'set simplyPluralToken and pluralKitToken first' },
  { name: 'enabling with only the SimplyPlural token', body: { simplyPluralToken: spToken, enableToPluralKit: true }, field: 'enableToPluralKit', says: 'set pluralKitToken first' },
  { name: 'an empty body', body: {}, field: 'body', says: 'must set' },
  { name: 'a list instead of an object', body: [spToken], field: 'body', says: 'JSON object' },
];

describe('PATCH /api/v1/me/fronting refuses bad input with a clear 400 and changes nothing', () => {
  let harness: FrontingHarness;
  let user: FrontingUser;

  beforeAll(async () => {
    harness = await FrontingHarness.start();
    user = await harness.user('400000000000000001');
  });
  afterAll(() => harness?.close());

  async function expectRefused(body: unknown, field: string, says: string, as: FrontingUser = user): Promise<void> {
    await harness.herald.projections.waitUntilCaughtUp();
    const head = await harness.herald.eventStore.headPosition();
    const settings = (await harness.call('get', '/api/v1/me/fronting', { token: as.apiToken }).expect(200)).body;

    const response = await harness.call('patch', '/api/v1/me/fronting', { token: as.apiToken, body });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.body as { status: number; detail: string; errors: Array<{ field: string; messages: string[] }> };
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain(field);
    const named = problem.errors.find((error) => error.field === field);
    expect(named?.messages.join(' ')).toContain(says);
    // Whatever was sent is not repeated back: it might be a token.
    for (const value of Object.values((body ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string' && value.length > 8) expect(response.text).not.toContain(value);
    }
    expect(await harness.herald.eventStore.headPosition()).toBe(head);
    await harness.herald.projections.waitUntilCaughtUp();
    expect((await harness.call('get', '/api/v1/me/fronting', { token: as.apiToken }).expect(200)).body).toEqual(settings);
  }

  it.each(cases)('$name → 400 naming $field', async ({ body, field, says }) => {
    await expectRefused(body, field, says);
  });

  it('refuses to remove a token while the updater is on, and changes nothing', async () => {
    const enabled = await harness.user('400000000000000002');
    await harness.enable(enabled);
    // The updater's first round appends too: let it finish, so the log's head moves only if the refusal wrote.
    await waitFor('the updater posted its first switch', async () => (await harness.eventsOf(enabled, 'SwitchPosted')).length > 0);
    await expectRefused({ pluralKitToken: null }, 'pluralKitToken', 'cannot be removed while enableToPluralKit is on', enabled);
  });

  it('answers the operator token, which has no user, with a 403 that says why', async () => {
    const response = await harness.call('patch', '/api/v1/me/fronting', { body: { enableToPluralKit: false } });
    expect(response.status).toBe(403);
    expect(response.body.detail).toContain('operator token has no user');
    const read = await harness.call('get', '/api/v1/me/updaters');
    expect(read.status).toBe(403);
  });

  it('shows only whether each token is set and its last four characters, and removes one given as null', async () => {
    const owner = await harness.user('400000000000000003');
    const set = await harness
      .call('patch', '/api/v1/me/fronting', { token: owner.apiToken, body: { simplyPluralToken: owner.simplyPluralToken, pluralKitToken: owner.pluralKitToken } })
      .expect(200);
    const expected = {
      simplyPluralTokenSet: true,
      simplyPluralTokenLastFour: owner.simplyPluralToken.slice(-4),
      pluralKitTokenSet: true,
      pluralKitTokenLastFour: owner.pluralKitToken.slice(-4),
      enableToPluralKit: false,
    };
    expect(set.body).toEqual(expected);
    await harness.herald.projections.waitUntilCaughtUp();
    expect((await harness.call('get', '/api/v1/me/fronting', { token: owner.apiToken }).expect(200)).body).toEqual(expected);
    expect((await harness.updaters(owner)).pluralkit.status).toBe('disabled');

    const removed = await harness.call('patch', '/api/v1/me/fronting', { token: owner.apiToken, body: { simplyPluralToken: null } }).expect(200);
    expect(removed.body).toMatchObject({ simplyPluralTokenSet: false, simplyPluralTokenLastFour: null, pluralKitTokenSet: true });
  });

  it('turns the updater off, which stops watching SimplyPlural', async () => {
    const owner = await harness.user('400000000000000004');
    await harness.enable(owner);
    await waitFor('the socket is authenticated', () => harness.simplyPlural.authenticatedSocketCount(owner.simplyPluralToken) === 1);
    await harness.call('patch', '/api/v1/me/fronting', { token: owner.apiToken, body: { enableToPluralKit: false } }).expect(200);
    await waitFor('the socket is closed', () => harness.simplyPlural.authenticatedSocketCount(owner.simplyPluralToken) === 0);
    expect((await harness.updaters(owner)).pluralkit).toMatchObject({ status: 'disabled', lastOperationError: null });
  });

  it('documents the routes, saying where PluralKit ids come from and that members are not created in PluralKit', async () => {
    const document = (await harness.call('get', '/api/docs-json').expect(200)).body;
    const patch = document.paths['/api/v1/me/fronting'].patch;
    expect(patch.description).toContain('pkId');
    expect(patch.description).toContain('not yet created in PluralKit');
    expect(document.paths['/api/v1/me/updaters'].get.description).toContain('pkId');
    expect(Object.keys(document.components.schemas.ChangeFrontingSettingsBody.properties).sort()).toEqual([
      'enableToPluralKit',
      'pluralKitToken',
      'simplyPluralToken',
    ]);
  });
});
