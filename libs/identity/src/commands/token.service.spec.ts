import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandContext, CommandRunner, InvalidInput, ManualClock, NotFound } from '@herald/core';
import { createSqliteEventStore, type EventStore } from '@herald/eventstore';
import { hashApiToken } from '../domain/api-token';
import { TokenService } from './token.service';

const context: CommandContext = { source: 'cli', actorId: 'operator', correlationId: 'corr-1' };

describe('TokenService', () => {
  let dir: string;
  let store: EventStore;
  let clock: ManualClock;
  let tokens: TokenService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-token-service-'));
    store = createSqliteEventStore({ path: join(dir, 'events.sqlite') });
    clock = new ManualClock('2025-06-01T00:00:00.000Z');
    tokens = new TokenService(new CommandRunner(store, clock), clock);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the token hash on the user stream, never the token', async () => {
    const { tokenId, token } = await tokens.issue({ userId: 'alice', scopes: ['user:alice', 'audit:*'], label: 'laptop', context });

    expect(token).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    const events = await store.readStream('user-alice');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'ApiTokenIssued',
      data: { tokenId, tokenHash: hashApiToken(token), scopes: ['user:alice', 'audit:*'], label: 'laptop' },
      metadata: { source: 'cli', actorId: 'operator', userId: 'alice', occurredAt: '2025-06-01T00:00:00.000Z' },
    });
    const wholeLog = JSON.stringify(await store.readAll());
    expect(wholeLog).not.toContain(token);
    expect(wholeLog).not.toContain(token.slice('hrld_'.length));
  });

  it('gives a token the scope of its own user when none is asked for', async () => {
    await tokens.issue({ userId: 'alice', context });
    const [event] = await store.readStream('user-alice');
    expect(event.data.scopes).toEqual(['user:alice']);
  });

  it('issues a different token every time', async () => {
    const first = await tokens.issue({ userId: 'alice', context });
    const second = await tokens.issue({ userId: 'alice', context });
    expect(first.token).not.toBe(second.token);
    expect(first.tokenId).not.toBe(second.tokenId);
  });

  it.each([
    { input: 'a malformed user id', request: { userId: 'alice smith' }, field: 'userId' },
    { input: 'a malformed scope', request: { userId: 'alice', scopes: ['admin'] }, field: 'scopes[0]' },
    { input: 'an expiry already past', request: { userId: 'alice', expiresAt: new Date('2025-05-01') }, field: 'expiresAt' },
  ])('refuses $input, naming the field, and appends nothing', async ({ request, field }) => {
    const issuing = tokens.issue({ ...request, context });
    await expect(issuing).rejects.toBeInstanceOf(InvalidInput);
    await expect(issuing).rejects.toMatchObject({ errors: [expect.objectContaining({ field })] });
    expect(await store.headPosition()).toBeNull();
  });

  it('revokes a token once', async () => {
    const { tokenId } = await tokens.issue({ userId: 'alice', context });

    await tokens.revoke({ userId: 'alice', tokenId, context });
    await tokens.revoke({ userId: 'alice', tokenId, context });

    expect((await store.readStream('user-alice')).map((e) => [e.type, e.data.tokenId])).toEqual([
      ['ApiTokenIssued', tokenId],
      ['ApiTokenRevoked', tokenId],
    ]);
  });

  it("refuses to revoke a token the user never had, even another user's", async () => {
    const { tokenId } = await tokens.issue({ userId: 'bob', context });
    await expect(tokens.revoke({ userId: 'alice', tokenId, context })).rejects.toBeInstanceOf(NotFound);
    expect(await store.readStream('user-alice')).toEqual([]);
  });
});
