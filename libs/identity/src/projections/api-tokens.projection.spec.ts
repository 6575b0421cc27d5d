import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@herald/core';
import { createSqliteReadStore, type ReadStore } from '@herald/readstore';
import { API_TOKENS_COLLECTION, ApiTokensProjection, ApiTokensReadModel } from '@herald/identity';

const HASH_1 = '1'.repeat(64);
const HASH_2 = '2'.repeat(64);

let position = 0;
function recorded(streamId: string, type: string, data: Record<string, unknown>, occurredAt: string): RecordedEvent {
  position += 10;
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    streamId,
    revision: 0,
    position,
    type,
    data,
    metadata: { source: 'cli', correlationId: 'c', occurredAt, schemaVersion: 1 },
  };
}

const history = [
  recorded(
    'user-alice',
    'ApiTokenIssued',
    { tokenId: 't1', tokenHash: HASH_1, scopes: ['user:alice'], label: 'laptop' },
    '2025-01-01T00:00:00.000Z',
  ),
  recorded(
    'user-bob',
    'ApiTokenIssued',
    { tokenId: 't2', tokenHash: HASH_2, scopes: ['audit:*'], expiresAt: '2026-01-01T00:00:00.000Z' },
    '2025-01-02T00:00:00.000Z',
  ),
  recorded('user-alice', 'ApiTokenRevoked', { tokenId: 't1' }, '2025-01-03T00:00:00.000Z'),
];

describe('ApiTokensProjection', () => {
  let dir: string;
  const stores: ReadStore[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-api-tokens-'));
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function apply(store: ReadStore, events: RecordedEvent[], lookups = new ApiTokensReadModel(store)): Promise<void> {
    const projection = new ApiTokensProjection(lookups);
    await store.transaction(async (session) => {
      for (const event of events) await projection.apply(event, session);
    });
  }

  async function project(events: RecordedEvent[], name = 'readmodels.sqlite'): Promise<ReadStore> {
    const store = createSqliteReadStore({ path: join(dir, name) });
    stores.push(store);
    await apply(store, events);
    return store;
  }

  const documents = async (store: ReadStore) =>
    (await store.global().collection(API_TOKENS_COLLECTION).find({ sort: [['tokenId', 1]] })).items;

  it('keys each token by its hash and records its owner, scopes and lifetime', async () => {
    const store = await project(history);

    expect(await documents(store)).toEqual([
      {
        id: HASH_1,
        tokenId: 't1',
        userId: 'alice',
        scopes: ['user:alice'],
        label: 'laptop',
        revoked: true,
        issuedAt: '2025-01-01T00:00:00.000Z',
        expiresAt: null,
        revokedAt: '2025-01-03T00:00:00.000Z',
        session: null,
      },
      {
        id: HASH_2,
        tokenId: 't2',
        userId: 'bob',
        scopes: ['audit:*'],
        label: null,
        revoked: false,
        issuedAt: '2025-01-02T00:00:00.000Z',
        expiresAt: '2026-01-01T00:00:00.000Z',
        revokedAt: null,
        session: null,
      },
    ]);
  });

  it("keeps a web console session's profile beside its token", async () => {
    const session = { displayName: 'Nelly', adminGuilds: [{ guildId: '613425648685547541', name: 'The Lounge' }] };
    const store = await project([
      recorded(
        'user-80351110224678912',
        'ApiTokenIssued',
        { tokenId: 't3', tokenHash: HASH_1, scopes: ['user:80351110224678912'], label: 'web console session', session },
        '2025-01-05T00:00:00.000Z',
      ),
    ]);
    expect((await documents(store))[0]).toMatchObject({ tokenId: 't3', session });
  });

  it('rebuilds the same documents from the same events, and applying them again changes nothing', async () => {
    const first = await project(history, 'first.sqlite');
    const rebuilt = await project(history, 'rebuilt.sqlite');
    await apply(rebuilt, history);

    expect(await documents(rebuilt)).toEqual(await documents(first));
  });

  it("leaves another user's token alone when a revocation names the same token id", async () => {
    const store = await project([
      history[0],
      recorded('user-mallory', 'ApiTokenRevoked', { tokenId: 't1' }, '2025-01-04T00:00:00.000Z'),
    ]);
    expect((await documents(store))[0]).toMatchObject({ tokenId: 't1', revoked: false });
  });

  it('answers lookups with a revocation as soon as it is projected, though the token was just looked up', async () => {
    const store = await project(history.slice(0, 2));
    const lookups = new ApiTokensReadModel(store);
    expect(await lookups.findByHash(HASH_1)).toMatchObject({ revoked: false });

    await apply(store, [history[2]], lookups);

    expect(await lookups.findByHash(HASH_1)).toMatchObject({ revoked: true });
  });
});
