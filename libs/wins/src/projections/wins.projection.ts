import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession, ScopedReadStore } from '@herald/readstore';
import { WINS_EVENT_TYPES, type GuildEvent, type MemberEvent, type RoleChangeFailure, type WinsEvent } from '../domain/events';
import { DEFAULT_COUNTING_MODE, DEFAULT_SYNC_INTERVAL_HOURS } from '../domain/ids';
import {
  GUILD_SETTINGS_COLLECTION,
  GUILDS_COLLECTION,
  type GuildIndexDocument,
  type GuildSettingsDocument,
  PLAYERS_COLLECTION,
  type PlayerDocument,
  type RoleProblem,
  SETTINGS_ID,
  SYNC_RUNS_COLLECTION,
  type SyncRunDocument,
} from './wins.read-model';

const GUILD_STREAM_PREFIX = 'guild-';
const GUILD_COLLECTIONS = [GUILD_SETTINGS_COLLECTION, PLAYERS_COLLECTION, SYNC_RUNS_COLLECTION];

/** Guild problems worth an admin's attention; a member who left is not one. */
const REPORTED_FAILURES = new Set(['missing_permissions', 'unknown_role']);

/** Per-guild settings, leaderboard and sync runs, plus the global index of guilds the scheduler walks. */
@RegisterProjection()
@Injectable()
export class WinsProjection implements Projection {
  readonly name = 'wins';
  readonly filter = { eventTypes: [...WINS_EVENT_TYPES] };
  readonly collections = [...GUILD_COLLECTIONS, GUILDS_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    const event = recorded as unknown as WinsEvent;
    if (event.type === 'GuildRemoved') return this.removeGuild(event.data.guildId, session);
    if (recorded.streamId.startsWith(GUILD_STREAM_PREFIX)) {
      const guildId = recorded.streamId.slice(GUILD_STREAM_PREFIX.length);
      return this.applyGuildEvent(guildId, event as GuildEvent, recorded.metadata.occurredAt, session);
    }
    return this.applyMemberEvent(event as MemberEvent, recorded.metadata.occurredAt, session);
  }

  private async applyGuildEvent(guildId: string, event: GuildEvent, at: string, session: ReadStoreSession) {
    const guild = session.forGuild(guildId);
    const settingsCollection = guild.collection<GuildSettingsDocument>(GUILD_SETTINGS_COLLECTION);
    const index = session.global().collection<GuildIndexDocument>(GUILDS_COLLECTION);
    if (event.type === 'GuildRegistered') {
      await settingsCollection.upsert({
        id: SETTINGS_ID,
        guildId,
        name: event.data.name,
        countingMode: DEFAULT_COUNTING_MODE,
        syncIntervalHours: DEFAULT_SYNC_INTERVAL_HOURS,
        thresholds: [],
        clanTags: [],
        adminRoleIds: [...event.data.adminRoleIds].sort(),
        backoffUntil: null,
        lastSyncAt: null,
        registeredAt: at,
        roleProblems: [],
      });
      await index.upsert({ id: guildId, syncIntervalHours: DEFAULT_SYNC_INTERVAL_HOURS, lastSyncAt: null, backoffUntil: null });
      return;
    }
    const settings = await settingsCollection.get(SETTINGS_ID);
    if (!settings) return;
    const runs = guild.collection<SyncRunDocument>(SYNC_RUNS_COLLECTION);
    switch (event.type) {
      case 'GuildSettingsChanged':
        await settingsCollection.patch(SETTINGS_ID, event.data);
        if (event.data.syncIntervalHours !== undefined) {
          await index.patch(guildId, { syncIntervalHours: event.data.syncIntervalHours });
        }
        return;
      case 'RoleThresholdSet': {
        const thresholds = settings.thresholds.filter((t) => t.wins !== event.data.wins);
        thresholds.push({ wins: event.data.wins, roleId: event.data.roleId });
        await settingsCollection.patch(SETTINGS_ID, { thresholds: thresholds.sort((a, b) => a.wins - b.wins) });
        return;
      }
      case 'RoleThresholdRemoved':
        await settingsCollection.patch(SETTINGS_ID, {
          thresholds: settings.thresholds.filter((t) => t.wins !== event.data.wins),
          roleProblems: settings.roleProblems.filter((p) => p.roleId !== event.data.roleId),
        });
        return;
      case 'ClanTagAdded':
        await settingsCollection.patch(SETTINGS_ID, { clanTags: [...settings.clanTags, event.data.tag].sort() });
        return;
      case 'ClanTagRemoved':
        await settingsCollection.patch(SETTINGS_ID, { clanTags: settings.clanTags.filter((t) => t !== event.data.tag) });
        return;
      case 'AdminRoleAdded':
        await settingsCollection.patch(SETTINGS_ID, { adminRoleIds: [...settings.adminRoleIds, event.data.roleId].sort() });
        return;
      case 'AdminRoleRemoved':
        await settingsCollection.patch(SETTINGS_ID, {
          adminRoleIds: settings.adminRoleIds.filter((r) => r !== event.data.roleId),
        });
        return;
      case 'GuildSyncStarted':
        await runs.upsert({
          id: event.data.runId,
          runId: event.data.runId,
          state: 'running',
          trigger: event.data.trigger,
          userId: event.data.userId,
          startedAt: at,
          completedAt: null,
          checked: 0,
          changed: 0,
          failed: 0,
          durationMs: null,
          failures: [],
        });
        return;
      case 'GuildSyncCompleted': {
        const { runId, checked, changed, failed, durationMs, completedAt, failures } = event.data;
        await runs.patch(runId, { state: 'completed', checked, changed, failed, durationMs, completedAt, failures });
        await settingsCollection.patch(SETTINGS_ID, { lastSyncAt: completedAt });
        await index.patch(guildId, { lastSyncAt: completedAt });
        return;
      }
      case 'SyncBackoffStarted':
        if (event.data.runId) await runs.patch(event.data.runId, { state: 'failed' });
        await settingsCollection.patch(SETTINGS_ID, { backoffUntil: event.data.until });
        await index.patch(guildId, { backoffUntil: event.data.until });
        return;
      default: {
        const unknown: never = event;
        throw new Error(`unhandled guild event ${(unknown as { type: string }).type}`);
      }
    }
  }

  private async applyMemberEvent(event: MemberEvent, at: string, session: ReadStoreSession) {
    const guild = session.forGuild(event.data.guildId);
    const players = guild.collection<PlayerDocument>(PLAYERS_COLLECTION);
    const userId = event.data.userId;
    switch (event.type) {
      case 'PlayerLinked': {
        const previous = await players.get(userId);
        await players.upsert({
          id: userId,
          userId,
          playerId: event.data.playerId,
          linkedAt: event.data.linkedAt,
          linkedBy: event.data.linkedBy,
          wins: null,
          roleId: previous?.roleId ?? null,
          username: event.data.username,
          lastSyncAt: null,
          lastFailure: null,
        });
        return;
      }
      case 'PlayerUnlinked':
        await players.delete(userId);
        return;
      case 'WinsSynced':
        await players.patch(userId, { wins: event.data.wins, username: event.data.username, lastSyncAt: at, lastFailure: null });
        return;
      case 'MemberSyncFailed':
        await players.patch(userId, { lastFailure: event.data.reason });
        return;
      case 'MemberRolesReconciled': {
        const { wantedRoleId, failures, added, removed } = event.data;
        const wantedFailed = failures.some((f) => f.roleId === wantedRoleId && f.action === 'add');
        if (!wantedFailed) await players.patch(userId, { roleId: wantedRoleId });
        await this.recordRoleProblems(guild, userId, at, event.data.failures, [...added, ...removed]);
        return;
      }
      default: {
        const unknown: never = event;
        throw new Error(`unhandled member event ${(unknown as { type: string }).type}`);
      }
    }
  }

  private async recordRoleProblems(
    guild: ScopedReadStore,
    userId: string,
    at: string,
    failures: RoleChangeFailure[],
    workedRoleIds: string[],
  ) {
    const reported = failures.filter((f) => REPORTED_FAILURES.has(f.reason));
    if (reported.length === 0 && workedRoleIds.length === 0) return;
    const settings = guild.collection<GuildSettingsDocument>(GUILD_SETTINGS_COLLECTION);
    const current = await settings.get(SETTINGS_ID);
    if (!current) return;
    const touched = new Set([...workedRoleIds, ...reported.map((f) => f.roleId)]);
    const problems: RoleProblem[] = current.roleProblems.filter((p) => !touched.has(p.roleId));
    for (const failure of reported) {
      problems.push({ roleId: failure.roleId, reason: failure.reason, code: failure.code, message: failure.message, userId, at });
    }
    await settings.patch(SETTINGS_ID, { roleProblems: problems });
  }

  private async removeGuild(guildId: string, session: ReadStoreSession) {
    const guild = session.forGuild(guildId);
    for (const name of GUILD_COLLECTIONS) await guild.dropCollection(name);
    await session.global().collection(GUILDS_COLLECTION).delete(guildId);
  }
}
