import { Injectable, Logger } from '@nestjs/common';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { DiscordRolesClient } from '../clients/discord-roles.client';
import type { MemberRolesReconciled, RoleChangeFailure } from '../domain/events';
import { guildThresholdRoleIds, type GuildState } from '../domain/guild.decider';
import { memberDecider, type MemberState, needsRoleReconcile } from '../domain/member.decider';
import { roleChanges, wantedRole } from '../domain/role-tier-policy';

export type ReconcileOutcome = MemberRolesReconciled['data'] | null;

/**
 * Gives a member the role their wins earn and takes every other threshold role away. Calls
 * Discord only when the wanted roles differ from the last successful reconcile, unless asked to
 * repair (re-read the member's roles and fix drift). The outcome is `MemberRolesReconciled`.
 */
@Injectable()
export class RoleReconciler {
  private readonly logger = new Logger(RoleReconciler.name);

  constructor(
    private readonly discord: DiscordRolesClient,
    private readonly commands: CommandRunner,
  ) {}

  async reconcile(
    guild: GuildState,
    userId: string,
    member: MemberState,
    options: { repair: boolean; context: CommandContext },
  ): Promise<ReconcileOutcome> {
    if (!this.discord.available || !guild.guildId) return null;
    const guildId = guild.guildId;
    const thresholdRoleIds = guildThresholdRoleIds(guild);
    const wanted = member.link ? wantedRole(member.wins, guild.thresholds) : null;
    if (!options.repair && !needsRoleReconcile(member, wanted, thresholdRoleIds)) return null;

    const held = await this.discord.memberRoles(guildId, userId);
    if (held === null) {
      this.logger.log(`member ${userId} is not in guild ${guildId}; no roles to reconcile`);
      return null;
    }
    // Roles of thresholds removed since the last reconcile are still Herald's to take away.
    const managed = [...new Set([...thresholdRoleIds, ...(member.reconciled?.thresholdRoleIds ?? [])])];
    const { add, remove } = roleChanges({ wanted, held, thresholdRoleIds: managed });
    const reason = wanted ? `Herald: ${member.wins} OpenFront wins` : 'Herald: no win threshold reached';
    const failures: RoleChangeFailure[] = [];
    const done = { add: [] as string[], remove: [] as string[] };
    for (const [action, roleIds] of [['remove', remove], ['add', add]] as const) {
      for (const roleId of roleIds) {
        const failure = await this.discord.changeRole({ guildId, userId, roleId, action }, reason);
        if (failure) failures.push(failure);
        else done[action].push(roleId);
      }
    }
    const outcome: MemberRolesReconciled['data'] = {
      guildId,
      userId,
      wantedRoleId: wanted,
      added: done.add,
      removed: done.remove,
      thresholdRoleIds,
      failures,
    };
    await this.commands.run({
      streamId: streams.guildMember(guildId, userId),
      decider: memberDecider,
      command: { type: 'RecordRolesReconciled', ...outcome },
      context: { ...options.context, guildId, userId },
    });
    for (const failure of failures) {
      this.logger.warn(`guild ${guildId}: could not ${failure.action} role ${failure.roleId} for ${userId}: ${failure.reason} (${failure.code ?? '-'})`);
    }
    return outcome;
  }
}
