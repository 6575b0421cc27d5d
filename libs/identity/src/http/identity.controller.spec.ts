import request from 'supertest';
import { createIdentityTestApp, type IdentityTestApp } from '../testing/identity-test-app';

const ADMIN_TOKEN = 'operator-token-for-tests-0123456789';
const context = { source: 'cli' as const, correlationId: 'corr-1' };

describe('IdentityController', () => {
  let harness: IdentityTestApp;
  let alice: { tokenId: string; token: string };
  let aliceSecond: { tokenId: string; token: string };
  let bob: { tokenId: string; token: string };

  beforeAll(async () => {
    harness = await createIdentityTestApp({ adminToken: ADMIN_TOKEN });
    alice = await harness.tokens.issue({ userId: 'alice', label: 'laptop', context });
    aliceSecond = await harness.tokens.issue({ userId: 'alice', scopes: ['user:alice', 'audit:*'], context });
    bob = await harness.tokens.issue({ userId: 'bob', context });
    await harness.catchUp();
  });

  afterAll(() => harness.close());

  const http = () => request(harness.app.getHttpServer());

  describe('GET /api/v1/me', () => {
    it('names the user and scopes of a personal token', async () => {
      await http()
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${aliceSecond.token}`)
        .expect(200, { userId: 'alice', scopes: ['user:alice', 'audit:*'] });
    });

    it('names no user for the operator token', async () => {
      await http().get('/api/v1/me').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200, { userId: null, scopes: ['operator'] });
    });

    it('needs a token', async () => {
      await http().get('/api/v1/me').expect(401);
    });
  });

  describe('POST /api/v1/users/:userId/tokens', () => {
    const issue = (userId: string, bearerToken: string, body: unknown = {}) =>
      http().post(`/api/v1/users/${userId}/tokens`).set('Authorization', `Bearer ${bearerToken}`).send(body as object);

    it('issues a token shown once, which works once projected', async () => {
      const response = await issue('alice', alice.token, { label: 'phone' }).expect(201);

      expect(response.body).toEqual({ tokenId: expect.any(String), token: expect.stringMatching(/^hrld_/) });
      expect(response.headers['cache-control']).toBe('no-store');
      await harness.catchUp();
      await http()
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${response.body.token}`)
        .expect(200, { userId: 'alice', scopes: ['user:alice'] });
    });

    it('lets the operator issue any scope', async () => {
      await issue('carol', ADMIN_TOKEN, { scopes: ['user:carol', 'guild:42:admin', 'audit:*'] }).expect(201);
    });

    it('refuses scopes the caller does not hold with 403, appending nothing', async () => {
      const before = await harness.eventStore.headPosition();
      const response = await issue('alice', alice.token, { scopes: ['user:alice', 'audit:*'] }).expect(403);
      expect(response.body.detail).toContain('audit:*');
      expect(await harness.eventStore.headPosition()).toBe(before);
    });

    it("refuses to issue tokens for another user with 403", async () => {
      await issue('bob', alice.token).expect(403);
    });

    it.each([
      { input: 'scopes that are no list', body: { scopes: 'user:alice' }, field: 'scopes' },
      { input: 'a malformed scope', body: { scopes: ['root'] }, field: 'scopes' },
      { input: 'a label that is no string', body: { label: 5 }, field: 'label' },
      { input: 'an expiry that is no time', body: { expiresAt: 'tomorrow' }, field: 'expiresAt' },
      { input: 'an unknown field', body: { admin: true }, field: 'admin' },
    ])('answers $input with 400 naming $field', async ({ body, field }) => {
      const response = await issue('alice', alice.token, body).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('GET /api/v1/users/:userId/tokens', () => {
    it("lists the user's tokens without their hashes", async () => {
      const response = await http().get('/api/v1/users/alice/tokens').set('Authorization', `Bearer ${alice.token}`).expect(200);

      expect(response.body.items.slice(0, 2)).toEqual([
        {
          tokenId: alice.tokenId,
          userId: 'alice',
          label: 'laptop',
          scopes: ['user:alice'],
          revoked: false,
          issuedAt: expect.any(String),
          expiresAt: null,
          revokedAt: null,
        },
        expect.objectContaining({ tokenId: aliceSecond.tokenId, label: null, scopes: ['user:alice', 'audit:*'] }),
      ]);
      expect(response.body.items.every((item: { userId: string }) => item.userId === 'alice')).toBe(true);
      for (const item of response.body.items) expect(Object.keys(item)).not.toContain('id');
      expect(response.text).not.toMatch(/[0-9a-f]{64}/);
    });

    it("refuses another user's tokens with 403", async () => {
      await http().get('/api/v1/users/alice/tokens').set('Authorization', `Bearer ${bob.token}`).expect(403);
    });

    it('answers a malformed user id with 400 naming the field', async () => {
      const response = await http().get('/api/v1/users/al%20ice/tokens').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'userId' })]);
    });
  });

  describe('DELETE /api/v1/users/:userId/tokens/:tokenId', () => {
    it('revokes the token, which then no longer authenticates', async () => {
      const doomed = await harness.tokens.issue({ userId: 'alice', context });
      await harness.catchUp();

      await http().delete(`/api/v1/users/alice/tokens/${doomed.tokenId}`).set('Authorization', `Bearer ${alice.token}`).expect(204);
      await harness.catchUp();

      await http().get('/api/v1/me').set('Authorization', `Bearer ${doomed.token}`).expect(401);
      const events = await harness.eventStore.readStream('user-alice');
      expect(events.at(-1)).toMatchObject({
        type: 'ApiTokenRevoked',
        data: { tokenId: doomed.tokenId },
        metadata: { source: 'rest', actorId: 'alice', userId: 'alice' },
      });
    });

    it('answers an unknown token with 404 and appends nothing', async () => {
      const before = await harness.eventStore.headPosition();
      const response = await http()
        .delete('/api/v1/users/alice/tokens/7c0d6f1e-8a47-4c41-9f0e-2b8f5a8e4d11')
        .set('Authorization', `Bearer ${alice.token}`)
        .expect(404);
      expect(response.body.type).toBe('https://herald.dev/problems/token-not-found');
      expect(await harness.eventStore.headPosition()).toBe(before);
    });

    it("answers another user's token id under one's own user with 404", async () => {
      await http().delete(`/api/v1/users/alice/tokens/${bob.tokenId}`).set('Authorization', `Bearer ${alice.token}`).expect(404);
    });

    it("refuses to revoke another user's token with 403", async () => {
      await http().delete(`/api/v1/users/bob/tokens/${bob.tokenId}`).set('Authorization', `Bearer ${alice.token}`).expect(403);
    });

    it('answers a malformed token id with 400 naming the field', async () => {
      const response = await http().delete('/api/v1/users/alice/tokens/nope').set('Authorization', `Bearer ${alice.token}`).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'tokenId' })]);
    });
  });
});
