import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HeraldConfig, ManualClock } from '@herald/core';
import { createSqliteReadStore, type ReadStore } from '@herald/readstore';
import { LEASE_COLLECTION, LEASE_DOCUMENT_ID, PresenceLeases } from './presence-leases';

const presence = { timeoutMs: 300_000, leaseFlushMs: 1_000, disconnectGraceMs: 10_000 } as HeraldConfig['presence'];

describe('PresenceLeases', () => {
  let dir: string;
  let store: ReadStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-leases-'));
    store = createSqliteReadStore({ path: join(dir, 'readmodels.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every changed lease in one flush, however many, in transactions of a hundred', async () => {
    const clock = new ManualClock('2026-11-22T07:00:00.000Z');
    const leases = new PresenceLeases(store, clock, { presence } as HeraldConfig, { run: false });
    const users = Array.from({ length: 250 }, (_, i) => `7${String(i).padStart(17, '0')}`);
    for (const userId of users) leases.heartbeat(userId);
    leases.socketOpened(users[249]);

    await leases.flush();

    const stored = await Promise.all(users.map((userId) => store.forUser(userId).collection(LEASE_COLLECTION).get(LEASE_DOCUMENT_ID)));
    expect(stored.every((lease) => lease?.heartbeatUntil === clock.now().getTime() + presence.timeoutMs)).toBe(true);
    expect(stored[249]).toMatchObject({ sockets: { [leases.instanceId]: 1 } });
  });
});
