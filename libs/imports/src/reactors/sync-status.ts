import { Inject, Injectable } from '@nestjs/common';
import { type Document, READ_STORE, type ReadStore } from '@herald/readstore';
import type { UpstreamQuota } from '../domain/plugin';
import type { IntegrationKey } from '../commands/integration-streams';

export type SyncOutcome = 'ok' | 'partial' | 'error' | 'rate_limited' | 'reconnect_needed';

/** Something a sync could not do, said to the user; `fields` when only those fields failed. */
export interface SyncProblem {
  code: 'upstream_unavailable' | 'upstream_refused' | 'fields_unavailable' | 'rate_limited' | 'reconnect_needed' | 'internal';
  message: string;
  fields?: string[];
}

/**
 * How the syncs of one integration went. Operational state, not a read model: hourly syncs are
 * not worth an event each (DESIGN.md: only transitions are events), so the sync engine writes
 * this document itself, in the user's scope. No projection owns it, so rebuilds keep it.
 */
export interface SyncStatusDocument extends Document {
  lastAttemptAt: string | null;
  /** The last sync that imported (`ok` or `partial`). */
  lastSyncAt: string | null;
  outcome: SyncOutcome | null;
  problems: SyncProblem[];
  /** No request goes to the service before this time (its rate limit). */
  retryAt: string | null;
  quota: UpstreamQuota | null;
  /** A sync of this integration is running until then, in some process. */
  runningUntil: string | null;
}

export const SYNC_STATUS_COLLECTION = 'import_sync_status';

@Injectable()
export class SyncStatusStore {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async get({ userId, pluginId }: IntegrationKey): Promise<SyncStatusDocument> {
    return (await this.collection(userId).get(pluginId)) ?? emptyStatus(pluginId);
  }

  async save({ userId }: IntegrationKey, status: SyncStatusDocument): Promise<void> {
    await this.collection(userId).upsert(status);
  }

  /** A new connection starts with a clean slate, except the service's rate limit, which is per user. */
  async connected(key: IntegrationKey): Promise<void> {
    const { retryAt, quota } = await this.get(key);
    await this.save(key, { ...emptyStatus(key.pluginId), retryAt, quota });
  }

  async forget({ userId, pluginId }: IntegrationKey): Promise<void> {
    await this.collection(userId).delete(pluginId);
  }

  private collection(userId: string) {
    return this.store.forUser(userId).collection<SyncStatusDocument>(SYNC_STATUS_COLLECTION);
  }
}

function emptyStatus(pluginId: string): SyncStatusDocument {
  return { id: pluginId, lastAttemptAt: null, lastSyncAt: null, outcome: null, problems: [], retryAt: null, quota: null, runningUntil: null };
}
