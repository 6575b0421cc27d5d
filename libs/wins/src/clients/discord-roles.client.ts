import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscordAPIError, PermissionFlagsBits, REST, Routes } from 'discord.js';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import type { RoleChangeFailure } from '../domain/events';

/** Discord's JSON error codes that the role reconcile handles by name. */
export const DiscordErrorCode = {
  unknownGuild: 10004,
  unknownMember: 10007,
  unknownRole: 10011,
  missingPermissions: 50013,
} as const;

export interface GuildRole {
  id: string;
  name: string;
  /** Holders may administer Herald in the guild: Administrator or Manage Guild. */
  administers: boolean;
}

/**
 * Member roles over Discord's REST API (v10) through discord.js's `REST`, whose base is
 * `DISCORD_API_URL`: it queues per route and waits out 429s with their `retry_after` itself.
 * Without `DISCORD_TOKEN` it is unavailable and callers skip role changes.
 */
@Injectable()
export class DiscordRolesClient {
  private readonly logger = new Logger(DiscordRolesClient.name);
  private readonly rest: REST | null;

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig, metrics: HeraldMetrics) {
    const token = config.discord.token;
    this.rest = token
      ? new REST({ api: config.upstreams.discord, version: '10', timeout: 15_000, retries: 3 }).setToken(token)
      : null;
    this.rest?.on('response', (request, response) => {
      metrics.upstreamRequests.inc({ upstream: 'discord', status: String(response.status) });
      if (response.status === 429) this.logger.warn(`Discord rate-limited ${request.method} ${request.route}; waiting as told`);
    });
    if (!this.rest) this.logger.warn('DISCORD_TOKEN is not set: Herald counts wins but changes no Discord roles');
  }

  get available(): boolean {
    return this.rest !== null;
  }

  /** The member's role ids, or `null` when they are not in the guild. */
  async memberRoles(guildId: string, userId: string): Promise<string[] | null> {
    try {
      const member = (await this.client().get(Routes.guildMember(guildId, userId))) as { roles?: string[] };
      return member.roles ?? [];
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === DiscordErrorCode.unknownMember) return null;
      throw error;
    }
  }

  async guildRoles(guildId: string): Promise<GuildRole[]> {
    const roles = (await this.client().get(Routes.guildRoles(guildId))) as { id: string; name: string; permissions: string }[];
    const administers = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;
    return roles.map((role) => ({
      id: role.id,
      name: role.name,
      administers: (BigInt(role.permissions) & administers) !== 0n,
    }));
  }

  /** Adds or removes one role; a Discord refusal comes back as a failure to record, not an exception. */
  async changeRole(
    change: { guildId: string; userId: string; roleId: string; action: 'add' | 'remove' },
    reason: string,
  ): Promise<RoleChangeFailure | null> {
    const route = Routes.guildMemberRole(change.guildId, change.userId, change.roleId);
    try {
      if (change.action === 'add') await this.client().put(route, { reason });
      else await this.client().delete(route, { reason });
      return null;
    } catch (error) {
      return { roleId: change.roleId, action: change.action, ...describeFailure(error) };
    }
  }

  private client(): REST {
    if (!this.rest) throw new Error('Discord REST is not configured (DISCORD_TOKEN is missing)');
    return this.rest;
  }
}

function describeFailure(error: unknown): Pick<RoleChangeFailure, 'reason' | 'code' | 'message'> {
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : null;
    const reason =
      code === DiscordErrorCode.missingPermissions
        ? 'missing_permissions'
        : code === DiscordErrorCode.unknownRole
          ? 'unknown_role'
          : code === DiscordErrorCode.unknownMember
            ? 'unknown_member'
            : 'error';
    return { reason, code, message: error.message };
  }
  return { reason: 'error', code: null, message: error instanceof Error ? error.message : String(error) };
}
