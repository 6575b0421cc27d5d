import request from 'supertest';
import { OPERATOR_TOKEN, bearer, startHerald, type HeraldUnderTest } from './support/herald-test-app';
import { testEvent } from '@herald/core/testing';

describe('health, metrics, OpenAPI and correlation ids', () => {
  let herald: HeraldUnderTest;
  let server: ReturnType<HeraldUnderTest['app']['getHttpServer']>;

  beforeAll(async () => {
    herald = await startHerald();
    server = herald.app.getHttpServer();
  });
  afterAll(() => herald.close());

  it('is live and ready without a token', async () => {
    await request(server).get('/health').expect(200, { status: 'ok' });
    const ready = await request(server).get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({
      eventStore: { status: 'up' },
      readStore: { status: 'up' },
      projections: { status: 'up', 'api-tokens': { state: 'running' } },
    });
  });

  it('counts appended events and times appends in /metrics', async () => {
    await request(server).post('/api/v1/users/77/tokens').set(bearer(OPERATOR_TOKEN)).send({}).expect(201);
    await herald.projections.waitUntilCaughtUp();
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/herald_events_appended_total\{category="user",type="ApiTokenIssued"\} 1\b/);
    expect(metrics.text).toMatch(/herald_append_duration_seconds_count 1\b/);
    expect(metrics.text).toMatch(/herald_projection_lag_events\{projection="api-tokens"\} 0\b/);
    expect(metrics.text).toMatch(/herald_projection_failed\{projection="api-tokens"\} 0\b/);
    expect(metrics.text).toContain('herald_upstream_requests_total');
  });

  it('serves the OpenAPI document with the routes and bearer auth', async () => {
    const { body } = await request(server).get('/api/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/me',
        '/api/v1/users/{userId}/tokens',
        '/api/v1/users/{userId}/tokens/{tokenId}',
        '/api/v1/guilds/{guildId}/audit',
        '/api/v1/users/{userId}/audit',
        '/api/v1/guilds/{guildId}/state',
      ]),
    );
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    await request(server).get('/api/docs').expect(200);
  });

  it('echoes a sane correlation id and makes one up otherwise', async () => {
    const given = await request(server).get('/health').set('X-Correlation-Id', 'trace-1234567890');
    expect(given.headers['x-correlation-id']).toBe('trace-1234567890');
    const invented = await request(server).get('/health').set('X-Correlation-Id', 'bad id with spaces');
    expect(invented.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports a projection stopped at a poison event as not ready, naming the event, and in metrics', async () => {
    const poison = await herald.eventStore.append('user-66', [testEvent('ApiTokenIssued', { scopes: ['user:66'] })], {
      expectedRevision: 'no_stream',
    });
    let ready: request.Response | undefined;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      ready = await request(server).get('/health/ready');
      if (ready.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(ready?.status).toBe(503);
    expect(ready?.body.details.projections).toMatchObject({
      status: 'down',
      'api-tokens': { state: 'failed', failure: { position: poison.position, eventType: 'ApiTokenIssued', streamId: 'user-66' } },
    });
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/herald_projection_failed\{projection="api-tokens"\} 1\b/);
    expect(metrics.text).toMatch(/herald_projection_lag_events\{projection="api-tokens"\} 1\b/);
  });
});
