import { Inject, Injectable } from '@nestjs/common';
import { type Document, READ_STORE, type ReadStore } from '@herald/readstore';
import type { MemberSyncFailureReason, RoleChangeFailure, SyncTrigger } from '../domain/events';
import type { CountingMode } from '../domain/ids';
import type { RoleThreshold } from '../domain/role-tier-policy';

/** Guild scope: one document, id `settings`. */
export const GUILD_SETTINGS_COLLECTION = 'wins_guild';
/** Guild scope: one document per linked member, id = user id. */
export const PLAYERS_COLLECTION = 'wins_players';
/** Guild scope: one document per sync run, id = run id. */
export const SYNC_RUNS_COLLECTION = 'wins_sync_runs';
/** Global scope: the registered guilds, id = guild id (what the scheduler walks). */
export const GUILDS_COLLECTION = 'wins_guilds';

export const SETTINGS_ID = 'settings';

/** A role Discord refused to give or take, shown to the guild's admins until a later change of it works. */
export interface RoleProblem {
  roleId: string;
  reason: RoleChangeFailure['reason'];
  code: number | null;
  message: string;
  userId: string;
  at: string;
}

export interface GuildSettingsDocument extends Document {
  guildId: string;
  name: string | null;
  countingMode: CountingMode;
  syncIntervalHours: number;
  thresholds: RoleThreshold[];
  clanTags: string[];
  adminRoleIds: string[];
  backoffUntil: string | null;
  lastSyncAt: string | null;
  registeredAt: string;
  roleProblems: RoleProblem[];
}

export interface PlayerDocument extends Document {
  userId: string;
  playerId: string;
  linkedAt: string;
  linkedBy: string;
  wins: number | null;
  roleId: string | null;
  username: string | null;
  lastSyncAt: string | null;
  lastFailure: MemberSyncFailureReason | null;
}

export type SyncRunState = 'queued' | 'running' | 'completed' | 'failed';

export interface SyncRunDocument extends Document {
  runId: string;
  state: SyncRunState;
  trigger: SyncTrigger;
  userId: string | null;
  startedAt: string;
  completedAt: string | null;
  checked: number;
  changed: number;
  failed: number;
  durationMs: number | null;
  failures: { userId: string; playerId: string; reason: MemberSyncFailureReason }[];
}

export interface GuildIndexDocument extends Document {
  syncIntervalHours: number;
  lastSyncAt: string | null;
  backoffUntil: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Reads of the wins read models; every guild read goes through that guild's scope. */
@Injectable()
export class WinsReadModel {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  settings(guildId: string): Promise<GuildSettingsDocument | null> {
    return this.store.forGuild(guildId).collection<GuildSettingsDocument>(GUILD_SETTINGS_COLLECTION).get(SETTINGS_ID);
  }

  player(guildId: string, userId: string): Promise<PlayerDocument | null> {
    return this.store.forGuild(guildId).collection<PlayerDocument>(PLAYERS_COLLECTION).get(userId);
  }

  /** Most wins first; members never counted come last. */
  leaderboard(guildId: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<PlayerDocument>> {
    return this.store
      .forGuild(guildId)
      .collection<PlayerDocument>(PLAYERS_COLLECTION)
      .find({ sort: [['wins', -1]], limit: page.limit ?? 25, cursor: page.cursor });
  }

  /** Every linked member of the guild, page after page. */
  async *players(guildId: string): AsyncGenerator<PlayerDocument> {
    const players = this.store.forGuild(guildId).collection<PlayerDocument>(PLAYERS_COLLECTION);
    let cursor: string | undefined;
    do {
      const page = await players.find({ limit: 1000, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  syncRun(guildId: string, runId: string): Promise<SyncRunDocument | null> {
    return this.store.forGuild(guildId).collection<SyncRunDocument>(SYNC_RUNS_COLLECTION).get(runId);
  }

  async *guilds(): AsyncGenerator<GuildIndexDocument> {
    const guilds = this.store.global().collection<GuildIndexDocument>(GUILDS_COLLECTION);
    let cursor: string | undefined;
    do {
      const page = await guilds.find({ limit: 1000, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }
}
