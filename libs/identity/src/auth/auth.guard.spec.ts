import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import request from 'supertest';
import { newEventId } from '@herald/core';
import { Caller, CSRF_REQUIRED, csrfTokenFor, hashApiToken, Public, RequireScopes } from '@herald/identity';
import { createIdentityTestApp, type IdentityTestApp } from '../testing/identity-test-app';

const ADMIN_TOKEN = 'operator-token-for-tests-0123456789';
const context = { source: 'cli' as const, correlationId: 'corr-1' };

@Controller('probe')
class ProbeController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('signed-in')
  signedIn(@Caller() caller: Caller) {
    return caller;
  }

  @RequireScopes('guild:{guildId}:admin')
  @Get('guilds/:guildId/settings')
  settings() {
    return { settings: true };
  }

  @RequireScopes('guild:{guildId}:admin')
  @Post('guilds/:guildId/settings')
  @HttpCode(200)
  changeSettings(@Caller() caller: Caller) {
    return { changedBy: caller.userId ?? null };
  }

  @RequireScopes('audit:{guildId}', 'guild:{guildId}:admin')
  @Get('guilds/:guildId/audit')
  audit() {
    return { audit: true };
  }
}

describe('AuthGuard', () => {
  let harness: IdentityTestApp;
  const tokensOf: Record<string, string> = {};

  beforeAll(async () => {
    harness = await createIdentityTestApp({ adminToken: ADMIN_TOKEN, extraControllers: [ProbeController] });
    const issue = async (name: string, userId: string, scopes: string[]) => {
      tokensOf[name] = (await harness.tokens.issue({ userId, scopes, context })).token;
    };
    await issue('alice', 'alice', ['user:alice']);
    await issue('guild 1 admin', 'bob', ['guild:1:admin']);
    await issue('guild 1 auditor', 'carol', ['audit:1']);
    await issue('every auditor', 'dave', ['audit:*']);
    await issue('revoked', 'erin', ['user:erin']);
    const revokedId = (await harness.eventStore.readStream('user-erin'))[0].data.tokenId as string;
    await harness.tokens.revoke({ userId: 'erin', tokenId: revokedId, context });
    tokensOf.expired = 'hrld_expired-token-for-tests';
    await harness.eventStore.append(
      'user-frank',
      [
        {
          id: newEventId(),
          type: 'ApiTokenIssued',
          data: {
            tokenId: newEventId(),
            tokenHash: hashApiToken(tokensOf.expired),
            scopes: ['user:frank'],
            expiresAt: '2020-01-01T00:00:00.000Z',
          },
          metadata: { source: 'cli', correlationId: 'c2', occurredAt: '2019-01-01T00:00:00.000Z', schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    await harness.catchUp();
  });

  afterAll(() => harness.close());

  const get = (path: string, token?: string) => {
    const call = request(harness.app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  it.each([
    { caller: 'no token', header: undefined },
    { caller: 'another scheme', header: `Basic ${Buffer.from('a:b').toString('base64')}` },
    { caller: 'an empty bearer', header: 'Bearer ' },
    { caller: 'an unknown token', header: 'Bearer hrld_not-a-token-anyone-was-given' },
    { caller: 'a revoked token', header: 'revoked' },
    { caller: 'an expired token', header: 'expired' },
  ])('answers $caller with 401 and a Bearer challenge', async ({ header }) => {
    const call = request(harness.app.getHttpServer()).get('/probe/signed-in');
    const authorization = header !== undefined && header in tokensOf ? `Bearer ${tokensOf[header]}` : header;
    const response = await (authorization === undefined ? call : call.set('Authorization', authorization));

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 401, type: 'https://herald.dev/problems/auth-unauthenticated' });
  });

  it.each([
    { holder: 'alice', path: '/probe/signed-in', status: 200 },
    { holder: 'alice', path: '/probe/guilds/1/settings', status: 403 },
    { holder: 'guild 1 admin', path: '/probe/guilds/1/settings', status: 200 },
    { holder: 'guild 1 admin', path: '/probe/guilds/2/settings', status: 403 },
    { holder: 'guild 1 admin', path: '/probe/guilds/1/audit', status: 200 },
    { holder: 'guild 1 auditor', path: '/probe/guilds/1/audit', status: 200 },
    { holder: 'guild 1 auditor', path: '/probe/guilds/2/audit', status: 403 },
    { holder: 'guild 1 auditor', path: '/probe/guilds/1/settings', status: 403 },
    { holder: 'every auditor', path: '/probe/guilds/2/audit', status: 200 },
    { holder: 'every auditor', path: '/probe/guilds/2/settings', status: 403 },
  ])('answers the $holder token on $path with $status', async ({ holder, path, status }) => {
    const response = await get(path, tokensOf[holder]);
    expect(response.status).toBe(status);
    if (status === 403) {
      expect(response.body).toMatchObject({ status: 403, type: 'https://herald.dev/problems/auth-forbidden' });
    }
  });

  it.each(['/probe/signed-in', '/probe/guilds/1/settings', '/probe/guilds/9/audit'])(
    'lets the operator token through %s',
    async (path) => {
      expect((await get(path, ADMIN_TOKEN)).status).toBe(200);
    },
  );

  it('does not take a near miss of the operator token for it', async () => {
    expect((await get('/probe/signed-in', `${ADMIN_TOKEN}x`)).status).toBe(401);
    expect((await get('/probe/signed-in', ADMIN_TOKEN.slice(0, -1))).status).toBe(401);
  });

  it('opens public routes to anyone', async () => {
    await get('/probe/open').expect(200, { open: true });
  });

  it('tells the route who called', async () => {
    const alice = await get('/probe/signed-in', tokensOf.alice);
    expect(alice.body).toEqual({ userId: 'alice', scopes: ['user:alice'], tokenId: expect.any(String) });
    expect((await get('/probe/signed-in', ADMIN_TOKEN)).body).toEqual({ scopes: ['operator'] });
  });

  it('lets a token in once issued and out once revoked', async () => {
    const { tokenId, token } = await harness.tokens.issue({ userId: 'gina', context });
    await harness.catchUp();
    expect((await get('/probe/signed-in', token)).status).toBe(200);

    await harness.tokens.revoke({ userId: 'gina', tokenId, context });
    await harness.catchUp();
    expect((await get('/probe/signed-in', token)).status).toBe(401);
  });

  describe('with the console session cookie', () => {
    const profile = { displayName: 'Hana', adminGuilds: [{ guildId: '1', name: 'Guild one' }] };
    let session: string;
    const cookie = (token: string) => `herald_session=${token}`;
    const write = (path: string) => request(harness.app.getHttpServer()).post(path);

    beforeAll(async () => {
      const expiresAt = new Date(Date.now() + 3_600_000);
      session = (await harness.tokens.issue({ userId: 'hana', scopes: ['user:hana', 'guild:1:admin'], expiresAt, session: profile, context })).token;
      await harness.catchUp();
    });

    it('authenticates reads by the cookie and tells the route the session, with its CSRF token', async () => {
      const response = await get('/probe/signed-in').set('Cookie', cookie(session)).expect(200);
      expect(response.body).toEqual({
        userId: 'hana',
        scopes: ['user:hana', 'guild:1:admin'],
        tokenId: expect.any(String),
        browserSession: { ...profile, expiresAt: expect.any(String), csrfToken: csrfTokenFor(session) },
      });
    });

    it('refuses a write without the CSRF token, or with a wrong one, before the route runs', async () => {
      for (const header of [undefined, 'wrong', csrfTokenFor(tokensOf.alice)]) {
        const call = write('/probe/guilds/1/settings').set('Cookie', cookie(session));
        const response = await (header === undefined ? call : call.set('X-CSRF-Token', header));
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ status: 403, type: 'https://herald.dev/problems/auth-csrf-required', detail: CSRF_REQUIRED });
      }
    });

    it('takes a write that carries the CSRF token, and still checks the scopes', async () => {
      const withCsrf = (path: string) => write(path).set('Cookie', cookie(session)).set('X-CSRF-Token', csrfTokenFor(session));
      await withCsrf('/probe/guilds/1/settings').expect(200, { changedBy: 'hana' });
      await withCsrf('/probe/guilds/2/settings').expect(403);
    });

    it('needs no CSRF token from a bearer token, which wins over the cookie', async () => {
      await write('/probe/guilds/1/settings').set('Authorization', `Bearer ${tokensOf['guild 1 admin']}`).expect(200, { changedBy: 'bob' });
      const bearerWins = await get('/probe/signed-in').set('Authorization', `Bearer ${tokensOf.alice}`).set('Cookie', cookie(session)).expect(200);
      expect(bearerWins.body).toEqual({ userId: 'alice', scopes: ['user:alice'], tokenId: expect.any(String) });
      await get('/probe/signed-in').set('Authorization', 'Bearer hrld_unknown').set('Cookie', cookie(session)).expect(401);
    });

    it('takes from the cookie only a token issued as a console session, and nothing once revoked', async () => {
      await get('/probe/signed-in').set('Cookie', cookie(tokensOf.alice)).expect(401);
      await get('/probe/signed-in').set('Cookie', cookie(ADMIN_TOKEN)).expect(401);
      const { tokenId, token } = await harness.tokens.issue({ userId: 'ivy', session: { displayName: 'Ivy', adminGuilds: [] }, context });
      await harness.catchUp();
      await get('/probe/signed-in').set('Cookie', cookie(token)).expect(200);
      await harness.tokens.revoke({ userId: 'ivy', tokenId, context });
      await harness.catchUp();
      const refused = await get('/probe/signed-in').set('Cookie', cookie(token)).expect(401);
      expect(refused.body.detail).toBe('The console session is unknown, revoked or expired: sign in again.');
    });
  });
});
