import request from 'supertest';
import { OPERATOR_TOKEN, bearer, startHerald, type HeraldUnderTest } from './support/herald-test-app';

interface BadRequest {
  name: string;
  method: 'get' | 'post' | 'delete';
  path: string;
  /** A raw body sent as application/json. */
  body?: string;
  /** The field the problem must name. */
  field: string;
}

const USER = '80351110224678912';
const GUILD = '613425648685547541';
const json = (value: unknown) => JSON.stringify(value);

const cases: BadRequest[] = [
  { name: 'malformed JSON', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: '{"label": "a', field: 'body' },
  { name: 'a JSON array instead of an object', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: '[1,2]', field: 'body' },
  { name: 'oversized body', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: json({ label: 'x'.repeat(200_000) }), field: 'body' },
  { name: 'scopes of the wrong type', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: json({ scopes: `user:${USER}` }), field: 'scopes' },
  { name: 'a label of the wrong type', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: json({ label: 5 }), field: 'label' },
  { name: 'an unknown field', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: json({ admin: true }), field: 'admin' },
  { name: 'a malformed scope', method: 'post', path: `/api/v1/users/${USER}/tokens`, body: json({ scopes: ['root'] }), field: 'scopes' },
  { name: 'a bad user id', method: 'post', path: '/api/v1/users/not%20an%20id/tokens', body: json({}), field: 'userId' },
  { name: 'a bad user id when listing tokens', method: 'get', path: '/api/v1/users/a!b/tokens', field: 'userId' },
  { name: 'a token id that is no uuid', method: 'delete', path: `/api/v1/users/${USER}/tokens/123`, field: 'tokenId' },
  { name: 'a guild id with letters', method: 'get', path: '/api/v1/guilds/abc/audit', field: 'guildId' },
  { name: 'page 0', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?page=0`, field: 'page' },
  { name: 'a page that is no number', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?page=abc`, field: 'page' },
  { name: 'a page size over 100', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?pageSize=101`, field: 'pageSize' },
  { name: 'an until that is no time', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?until=yesterday`, field: 'until' },
  { name: 'a type that is no event name', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?type=drop%20table`, field: 'type' },
  { name: 'an unknown query parameter', method: 'get', path: `/api/v1/guilds/${GUILD}/audit?sort=desc`, field: 'sort' },
  { name: 'a user audit with a bad page size', method: 'get', path: `/api/v1/users/${USER}/audit?pageSize=-1`, field: 'pageSize' },
  { name: 'a state at no time', method: 'get', path: `/api/v1/guilds/${GUILD}/state?at=2026-13-45`, field: 'at' },
];

describe('bad input on every endpoint answers 400 problem+json naming the field, and changes nothing', () => {
  let herald: HeraldUnderTest;

  beforeAll(async () => {
    herald = await startHerald();
  });
  afterAll(() => herald.close());

  it.each(cases)('$name → 400 naming $field', async ({ method, path, body, field }) => {
    const before = await herald.eventStore.headPosition();
    let call = request(herald.app.getHttpServer())[method](path).set(bearer(OPERATOR_TOKEN));
    if (body !== undefined) call = call.set('Content-Type', 'application/json').send(body);
    const response = await call;
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, title: expect.any(String), type: expect.any(String) });
    const fields = (response.body.errors ?? []).map((error: { field: string }) => error.field);
    expect(fields).toContain(field);
    expect(JSON.stringify(response.body)).not.toContain('x'.repeat(100));
    expect(await herald.eventStore.headPosition()).toBe(before);
  });

  it('a valid request to the same endpoint goes through, so the 400s above are about the input', async () => {
    const response = await request(herald.app.getHttpServer())
      .post(`/api/v1/users/${USER}/tokens`)
      .set(bearer(OPERATOR_TOKEN))
      .send({ label: 'laptop', scopes: [`user:${USER}`, `audit:${GUILD}`] })
      .expect(201);
    expect(response.body).toEqual({ tokenId: expect.any(String), token: expect.stringMatching(/^hrld_/) });
    const [issued] = await herald.eventStore.readStream(`user-${USER}`);
    expect(issued.type).toBe('ApiTokenIssued');
    expect(JSON.stringify(issued)).not.toContain(response.body.token);
  });

  it('an unknown route is a 404 problem, not a 500', async () => {
    const response = await request(herald.app.getHttpServer()).get('/api/v1/nothing-here').set(bearer(OPERATOR_TOKEN));
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
