import { OPERATOR_TOKEN } from '../support/herald-test-app';
import { type Method, PresenceHarness, type PresenceUser } from './presence-harness';

interface BadRequest {
  name: string;
  method: Method;
  path: string;
  body?: unknown;
  /** The field the problem must name, and a phrase its message holds. */
  field: string;
  says: string;
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `user${i}`).join(',');

const cases: BadRequest[] = [
  { name: 'an unknown status', method: 'put', path: '/api/v1/presence/status', body: { status: 'sleeping' }, field: 'status', says: 'must be one of online, away, dnd, in_studio, offline' },
  { name: 'a 256-character message', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', message: 'm'.repeat(256) }, field: 'message', says: 'at most 255 characters' },
  { name: 'a message that is not text', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', message: 42 }, field: 'message', says: 'at most 255 characters' },
  { name: 'a 65-character DAW', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', daw: 'd'.repeat(65) }, field: 'daw', says: 'at most 64 characters' },
  { name: 'a changedAt that is no time', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', changedAt: 'yesterday' }, field: 'changedAt', says: 'ISO-8601' },
  { name: 'a changedAt an hour ahead', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', changedAt: new Date(Date.now() + 3_600_000).toISOString() }, field: 'changedAt', says: '60 s ahead' },
  { name: 'an unknown field', method: 'put', path: '/api/v1/presence/status', body: { status: 'online', mood: 'great' }, field: 'mood', says: 'should not exist' },
  { name: '101 ids', method: 'get', path: `/api/v1/presence/users?ids=${ids(101)}`, field: 'ids', says: 'at most 100 users' },
  { name: 'no ids', method: 'get', path: '/api/v1/presence/users?ids=', field: 'ids', says: 'letters, digits' },
  { name: 'an id with a space', method: 'get', path: '/api/v1/presence/users?ids=ann,bob%20smith', field: 'ids', says: 'letters, digits' },
  { name: 'following oneself', method: 'put', path: '/api/v1/me/follows/540000000000000001', field: 'userId', says: 'someone other than the caller' },
  { name: 'following a malformed id', method: 'put', path: '/api/v1/me/follows/not%20an%20id', field: 'userId', says: 'letters, digits' },
  { name: 'an empty privacy change', method: 'patch', path: '/api/v1/me/privacy', body: {}, field: 'body', says: 'must set' },
  { name: 'a privacy flag as text', method: 'patch', path: '/api/v1/me/privacy', body: { showActivityStatus: 'no' }, field: 'showActivityStatus', says: 'boolean' },
];

describe('presence refuses bad input with a clear error and appends nothing', () => {
  let harness: PresenceHarness;
  let ann: PresenceUser;

  beforeAll(async () => {
    harness = await PresenceHarness.start();
    ann = await harness.user('540000000000000001');
  });
  afterAll(() => harness?.close());

  it.each(cases)('answers $name with 400 naming the field', async ({ method, path, body, field, says }) => {
    const head = await harness.headPosition();
    const response = await harness.call(method, path, { token: ann.token, body }).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, title: expect.any(String), detail: expect.stringContaining(field) });
    const problem = (response.body.errors as Array<{ field: string; messages: string[] }>).find((error) => error.field.startsWith(field));
    expect(problem?.messages.join(' ')).toContain(says);
    expect(await harness.headPosition()).toBe(head);
  });

  const statusCases = cases.filter((c) => c.path === '/api/v1/presence/status');

  it.each(statusCases)('answers $name set over the socket with an error naming the field, and keeps the socket', async ({ body, field, says }) => {
    const socket = await harness.connect(ann);
    const head = await harness.headPosition();
    socket.send(JSON.stringify({ type: 'status', requestId: 'bad-1', ...(body as object) }));
    const [reply] = await socket.waitForMessages(2, 'the answer to the status change').then((all) => all.slice(1));
    expect(reply).toMatchObject({ type: 'error', requestId: 'bad-1', code: 'INPUT.INVALID', error: expect.stringContaining(field) });
    const problem = (reply as unknown as { errors: Array<{ field: string; messages: string[] }> }).errors.find((error) => error.field.startsWith(field));
    expect(problem?.messages.join(' ')).toContain(says);
    expect(await harness.headPosition()).toBe(head);
    expect(socket.closedWith).toBeNull();
    await socket.close();
  });

  it.each([
    { name: 'a requestId with a space', requestId: 'a b' },
    { name: 'a 65-character requestId', requestId: 'r'.repeat(65) },
    { name: 'a requestId that is a number', requestId: 7 },
  ])('answers a status change with $name with an error naming requestId, changing nothing', async ({ requestId }) => {
    const socket = await harness.connect(ann);
    const head = await harness.headPosition();
    socket.send(JSON.stringify({ type: 'status', requestId, status: 'dnd' }));
    const [reply] = await socket.waitForMessages(2, 'the answer to the status change').then((all) => all.slice(1));
    expect(reply).toEqual({
      type: 'error',
      code: 'INPUT.INVALID',
      error: 'Invalid field: requestId.',
      errors: [{ field: 'requestId', messages: [expect.stringContaining('1-64 printable ASCII')] }],
    });
    expect(await harness.headPosition()).toBe(head);
    await socket.close();
  });

  it('accepts exactly 100 ids and 255 characters', async () => {
    await harness.call('get', `/api/v1/presence/users?ids=${ids(100)}`, { token: ann.token }).expect(200);
    await harness.setStatus(ann, { status: 'online', message: '🎛'.repeat(255) });
  });

  it.each([
    { name: 'no token', query: '', code: 4401, says: 'a token is required' },
    { name: 'a malformed token', query: '?token=not-a-token', code: 4401, says: 'malformed token' },
    { name: 'an unknown token', query: `?token=hrld_${'A'.repeat(43)}`, code: 4401, says: 'unknown, revoked or expired' },
    { name: 'the operator token', query: `?token=${OPERATOR_TOKEN}`, code: 4403, says: 'operator token has no user' },
  ])('closes a socket with $name: an error message, then close code $code with the reason', async ({ query, code, says }) => {
    const head = await harness.headPosition();
    const socket = await harness.socket(null, query);
    expect(await socket.closed).toEqual({ code, reason: expect.stringContaining(says) });
    expect(socket.messages).toEqual([{ type: 'error', code, error: expect.stringContaining(says) }]);
    expect(await harness.headPosition()).toBe(head);
  });

  it('closes the sockets of a revoked token', async () => {
    const pinged = await PresenceHarness.start({ env: { PRESENCE_SOCKET_PING_MS: '100' } });
    try {
      const carl = await pinged.user('540000000000000003');
      const socket = await pinged.connect(carl);
      const { tokenId } = (await pinged.call('get', `/api/v1/users/${carl.userId}/tokens`, { token: carl.token }).expect(200)).body.items[0];
      await pinged.call('delete', `/api/v1/users/${carl.userId}/tokens/${tokenId}`, { token: carl.token }).expect(204);
      expect(await socket.closed).toEqual({ code: 4401, reason: expect.stringContaining('revoked') });
    } finally {
      await pinged.close();
    }
  });

  it('drops a socket that stops answering pings, and keeps one that answers', async () => {
    const pinged = await PresenceHarness.start({ env: { PRESENCE_SOCKET_PING_MS: '100' } });
    try {
      const dora = await pinged.user('540000000000000004');
      const answering = await pinged.connect(dora);
      const silent = await pinged.socket(dora.token, undefined, { autoPong: false });

      expect(await silent.closed).toEqual({ code: 1006, reason: '' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(answering.closedWith).toBeNull();
    } finally {
      await pinged.close();
    }
  });

  it('refuses presence routes to the operator token, which acts for no user', async () => {
    const response = await harness.call('put', '/api/v1/presence/status', { body: { status: 'online' } }).expect(403);
    expect(response.body).toMatchObject({ type: 'https://herald.dev/problems/auth-no-user' });
  });
});
