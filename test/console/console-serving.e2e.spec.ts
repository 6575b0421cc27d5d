import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type HeraldUnderTest, startHerald } from '../support/herald-test-app';
import { CONSOLE_BUILD, writeConsoleBuild } from './console-harness';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https://cdn.discordapp.com; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

describe('the built web console, served at /', () => {
  let webDir: string;
  let herald: HeraldUnderTest;

  beforeAll(async () => {
    webDir = writeConsoleBuild();
    herald = await startHerald({ HERALD_WEB_DIR: webDir, DISCORD_GATEWAY: 'off' });
  });
  afterAll(async () => {
    await herald.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  const get = (path: string, accept = HTML) => request(herald.app.getHttpServer()).get(path).set('Accept', accept);

  it.each(['/', '/fronting', '/integrations?connected=fitbit', '/guilds/613425648685547541', '/operator', '/sign-in?error=access_denied'])(
    'answers the page navigation %s with index.html, revalidated every time, under the security headers',
    async (path) => {
      const page = await get(path).expect(200);
      expect(page.text).toBe(CONSOLE_BUILD.indexHtml);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers).toMatchObject(SECURITY_HEADERS);
    },
  );

  it('answers / with the console whatever the client accepts, as `curl localhost:3000` does', async () => {
    for (const accept of ['*/*', 'application/json']) {
      expect((await get('/', accept).expect(200)).text).toBe(CONSOLE_BUILD.indexHtml);
    }
  });

  it('serves hashed bundles with a year-long immutable cache, and files beside index.html revalidated', async () => {
    const bundle = await get(CONSOLE_BUILD.bundlePath, '*/*').expect(200);
    expect(bundle.text).toBe(CONSOLE_BUILD.bundle);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(bundle.headers).toMatchObject(SECURITY_HEADERS);

    const favicon = await get(CONSOLE_BUILD.faviconPath, 'image/*').expect(200);
    expect(favicon.headers['cache-control']).toBe('no-cache');
    expect(favicon.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it.each([
    ['an unknown API path asked for as a page', '/api/v1/nothing-here', HTML],
    ['an unknown API path', '/api/v1/nothing-here', 'application/json'],
    ['an unknown sign-in path', '/auth/nothing-here', HTML],
    ['a bundle that is not in the build', '/assets/missing-000000.js', '*/*'],
    ['a page asked for as JSON', '/fronting', 'application/json'],
  ])('answers %s with 404 problem+json, not the console', async (_case, path, accept) => {
    const answer = await get(path, accept).expect(404);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 404 });
  });

  it('leaves the server’s own routes alone for a browser that asks for HTML', async () => {
    expect((await get('/health').expect(200)).body).toEqual({ status: 'ok' });
    expect((await get('/api/docs-json').expect(200)).body).toMatchObject({ openapi: expect.any(String) });
    await get('/api/v1/me').expect(401);
  });
});

describe('Herald without a console build', () => {
  let emptyDir: string;
  let herald: HeraldUnderTest;

  beforeAll(async () => {
    emptyDir = mkdtempSync(join(tmpdir(), 'herald-web-empty-'));
    herald = await startHerald({ HERALD_WEB_DIR: emptyDir, DISCORD_GATEWAY: 'off' });
  });
  afterAll(async () => {
    await herald.close();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('answers / with 404 problem+json saying the console is not built, and serves everything else', async () => {
    for (const accept of [HTML, '*/*']) {
      const answer = await request(herald.app.getHttpServer()).get('/').set('Accept', accept).expect(404);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ type: 'https://herald.dev/problems/console-not-built', status: 404, detail: expect.stringContaining('not built') });
    }
    expect((await request(herald.app.getHttpServer()).get('/integrations').set('Accept', HTML).expect(404)).body.type).toBe(
      'https://herald.dev/problems/console-not-built',
    );
    await request(herald.app.getHttpServer()).get('/health/ready').expect(200);
  });
});
