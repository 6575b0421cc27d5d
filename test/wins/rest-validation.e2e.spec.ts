import { type Method, PLAYERS, WinsRestHarness } from './rest-harness';

/** Bad input on every wins route: 400 problem+json naming the field, and nothing appended to the log. */

const GUILD = '670000000000000001';
const MEMBER = '770000000000000001';
const ROLE_5 = '671000000000000005';
const ROLE_10 = '671000000000000010';
const G = `/api/v1/guilds/${GUILD}`;
const json = (value: unknown) => JSON.stringify(value);

interface BadRequest {
  name: string;
  method: Method;
  path: string;
  /** Sent as application/json, raw. */
  body?: string;
  field: string;
}

const cases: BadRequest[] = [
  // PUT /guilds/{guildId}
  { name: 'a guild id of 16 digits', method: 'put', path: '/api/v1/guilds/1234567890123456', body: json({}), field: 'guildId' },
  { name: 'a guild id of 21 digits', method: 'put', path: '/api/v1/guilds/123456789012345678901', body: json({}), field: 'guildId' },
  { name: 'a guild name that is no text', method: 'put', path: G, body: json({ name: 5 }), field: 'name' },
  { name: 'an unknown registration field', method: 'put', path: G, body: json({ owner: MEMBER }), field: 'owner' },
  // DELETE /guilds/{guildId}
  { name: 'a removal without confirm', method: 'delete', path: G, field: 'confirm' },
  { name: 'a removal with confirm=1', method: 'delete', path: `${G}?confirm=1`, field: 'confirm' },
  { name: 'a removal with an unknown parameter', method: 'delete', path: `${G}?confirm=true&force=true`, field: 'force' },
  // settings
  { name: 'a guild id with letters', method: 'get', path: '/api/v1/guilds/abc/settings', field: 'guildId' },
  { name: 'an empty settings change', method: 'patch', path: `${G}/settings`, body: json({}), field: 'body' },
  { name: 'an unknown counting mode', method: 'patch', path: `${G}/settings`, body: json({ countingMode: 'wins' }), field: 'countingMode' },
  { name: 'a null counting mode', method: 'patch', path: `${G}/settings`, body: json({ countingMode: null }), field: 'countingMode' },
  { name: 'a sync interval of 0 hours', method: 'patch', path: `${G}/settings`, body: json({ syncIntervalHours: 0 }), field: 'syncIntervalHours' },
  { name: 'a sync interval of 25 hours', method: 'patch', path: `${G}/settings`, body: json({ syncIntervalHours: 25 }), field: 'syncIntervalHours' },
  { name: 'a fractional sync interval', method: 'patch', path: `${G}/settings`, body: json({ syncIntervalHours: 1.5 }), field: 'syncIntervalHours' },
  { name: 'a sync interval as text', method: 'patch', path: `${G}/settings`, body: json({ syncIntervalHours: '6' }), field: 'syncIntervalHours' },
  { name: 'an unknown settings field', method: 'patch', path: `${G}/settings`, body: json({ countingMode: 'total', roles: [] }), field: 'roles' },
  { name: 'malformed JSON', method: 'patch', path: `${G}/settings`, body: '{"countingMode": "tot', field: 'body' },
  { name: 'a JSON array for settings', method: 'patch', path: `${G}/settings`, body: '["total"]', field: 'body' },
  // links and players
  { name: 'a user id of 5 digits', method: 'put', path: `${G}/links/12345`, body: json({ playerId: PLAYERS.current }), field: 'userId' },
  { name: 'a player id with a slash', method: 'put', path: `${G}/links/${MEMBER}`, body: json({ playerId: 'a/b' }), field: 'playerId' },
  { name: 'a player id with a space', method: 'put', path: `${G}/links/${MEMBER}`, body: json({ playerId: 'q8Z fR2' }), field: 'playerId' },
  { name: 'an empty player id', method: 'put', path: `${G}/links/${MEMBER}`, body: json({ playerId: '' }), field: 'playerId' },
  { name: 'a player id of 65 characters', method: 'put', path: `${G}/links/${MEMBER}`, body: json({ playerId: 'x'.repeat(65) }), field: 'playerId' },
  { name: 'a link without player id', method: 'put', path: `${G}/links/${MEMBER}`, body: json({}), field: 'playerId' },
  { name: 'an unknown link field', method: 'put', path: `${G}/links/${MEMBER}`, body: json({ playerId: PLAYERS.current, linkedAt: 'x' }), field: 'linkedAt' },
  { name: 'an unlink of a user id with letters', method: 'delete', path: `${G}/links/abc`, field: 'userId' },
  { name: 'a player read of a user id with letters', method: 'get', path: `${G}/players/abc`, field: 'userId' },
  { name: 'a leaderboard limit of 0', method: 'get', path: `${G}/players?limit=0`, field: 'limit' },
  { name: 'a leaderboard limit of 101', method: 'get', path: `${G}/players?limit=101`, field: 'limit' },
  { name: 'a leaderboard limit that is no number', method: 'get', path: `${G}/players?limit=ten`, field: 'limit' },
  { name: 'a fractional leaderboard limit', method: 'get', path: `${G}/players?limit=2.5`, field: 'limit' },
  { name: 'a forged leaderboard cursor', method: 'get', path: `${G}/players?cursor=bm90LWEtY3Vyc29y`, field: 'cursor' },
  { name: 'an unknown leaderboard parameter', method: 'get', path: `${G}/players?sort=wins`, field: 'sort' },
  // sync
  { name: 'a sync of a user id of 3 digits', method: 'post', path: `${G}/sync`, body: json({ userId: '123' }), field: 'userId' },
  { name: 'repairRoles as text', method: 'post', path: `${G}/sync`, body: json({ repairRoles: 'yes' }), field: 'repairRoles' },
  { name: 'an unknown sync field', method: 'post', path: `${G}/sync`, body: json({ fresh: true }), field: 'fresh' },
  { name: 'a run id that is no uuid', method: 'get', path: `${G}/sync/42`, field: 'runId' },
  // role thresholds
  { name: 'negative wins', method: 'put', path: `${G}/role-thresholds/-1`, body: json({ roleId: ROLE_5 }), field: 'wins' },
  { name: 'wins over 1,000,000', method: 'put', path: `${G}/role-thresholds/1000001`, body: json({ roleId: ROLE_5 }), field: 'wins' },
  { name: 'fractional wins', method: 'put', path: `${G}/role-thresholds/2.5`, body: json({ roleId: ROLE_5 }), field: 'wins' },
  { name: 'wins that are no number', method: 'put', path: `${G}/role-thresholds/ten`, body: json({ roleId: ROLE_5 }), field: 'wins' },
  { name: 'a threshold role id with letters', method: 'put', path: `${G}/role-thresholds/5`, body: json({ roleId: 'admin' }), field: 'roleId' },
  { name: 'a threshold without role', method: 'put', path: `${G}/role-thresholds/5`, body: json({}), field: 'roleId' },
  { name: 'a role that already serves another threshold', method: 'put', path: `${G}/role-thresholds/20`, body: json({ roleId: ROLE_10 }), field: 'roleId' },
  { name: 'a threshold removal of wins that are no number', method: 'delete', path: `${G}/role-thresholds/five`, field: 'wins' },
  // clan tags
  { name: 'a clan tag of one letter', method: 'post', path: `${G}/clan-tags`, body: json({ tag: 'A' }), field: 'tag' },
  { name: 'a clan tag of six letters', method: 'post', path: `${G}/clan-tags`, body: json({ tag: 'ABCDEF' }), field: 'tag' },
  { name: 'a clan tag with a dash', method: 'post', path: `${G}/clan-tags`, body: json({ tag: 'A-B' }), field: 'tag' },
  { name: 'a clan tag that is no text', method: 'post', path: `${G}/clan-tags`, body: json({ tag: 12 }), field: 'tag' },
  { name: 'no clan tag', method: 'post', path: `${G}/clan-tags`, body: json({}), field: 'tag' },
  { name: 'a clan tag removal of six letters', method: 'delete', path: `${G}/clan-tags/ABCDEF`, field: 'tag' },
  // admin roles
  { name: 'an admin role id of 3 digits', method: 'put', path: `${G}/admin-roles/123`, field: 'roleId' },
  { name: 'an admin role removal of a role id with letters', method: 'delete', path: `${G}/admin-roles/abc`, field: 'roleId' },
];

describe('wins REST: bad input on every route answers 400 problem+json naming the field, and appends nothing', () => {
  let harness: WinsRestHarness;

  beforeAll(async () => {
    harness = await WinsRestHarness.start();
    await harness.registerGuild(GUILD, [ROLE_5, ROLE_10]);
    harness.discord.setMember(GUILD, MEMBER, []);
    await harness.call('put', `${G}/role-thresholds/10`, { body: { roleId: ROLE_10 } }).expect(200);
    await harness.call('put', `${G}/links/${MEMBER}`, { body: { playerId: PLAYERS.current } }).expect(200);
    await harness.settle(GUILD);
  });
  afterAll(() => harness?.close());

  it.each(cases)('$name → 400 naming $field', async ({ method, path, body, field }) => {
    const before = await harness.herald.eventStore.headPosition();
    let call = harness.call(method, path);
    if (body !== undefined) call = call.set('Content-Type', 'application/json').send(body);
    const response = await call;

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, title: expect.any(String), type: expect.any(String) });
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await harness.herald.eventStore.headPosition()).toBe(before);
  });

  it('says what is wrong in words a person can act on', async () => {
    const response = await harness.call('put', `${G}/role-thresholds/1000001`, { body: { roleId: ROLE_5 } }).expect(400);
    expect(response.body.errors).toEqual([{ field: 'wins', messages: ['wins must be an integer from 0 to 1000000'] }]);
  });

  it('lets the valid form of the same requests through, so the 400s above are about the input', async () => {
    await harness.call('put', `${G}/role-thresholds/0`, { body: { roleId: ROLE_5 } }).expect(200, { wins: 0, roleId: ROLE_5 });
    await harness.call('post', `${G}/clan-tags`, { body: { tag: ' ab1 ' } }).expect(201, { tag: 'AB1' });
    await harness.call('delete', `${G}/clan-tags/ab1`).expect(204);
    const settings = await harness.call('patch', `${G}/settings`, { body: { syncIntervalHours: 1 } }).expect(200);
    expect(settings.body).toMatchObject({ syncIntervalHours: 1, countingMode: 'sessions_with_clan' });
    const page = await harness.call('get', `${G}/players?limit=1`).expect(200);
    expect(page.body.items).toHaveLength(1);
    await harness.settle(GUILD);
  });
});
