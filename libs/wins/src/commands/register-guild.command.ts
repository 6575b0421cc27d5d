import { Logger } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, HeraldError, streams } from '@herald/core';
import { StreamDeleted } from '@herald/eventstore';
import { DiscordRolesClient, type GuildRole } from '../clients/discord-roles.client';
import { guildDecider, type GuildState } from '../domain/guild.decider';
import { SyncScheduler } from '../reactors/sync-scheduler';

export interface GuildRegistration {
  state: GuildState;
  /** False when the guild was registered already. */
  created: boolean;
  /** Threshold roles Discord no longer knows (empty when Discord could not be asked). */
  missingThresholdRoleIds: string[];
}

/**
 * Registers a guild (the bot joined it, or an operator said so). Admin roles are seeded from the
 * guild's roles that have Administrator or Manage Guild, when Discord can be asked.
 */
export class RegisterGuildCommand extends Command<GuildRegistration> {
  constructor(
    readonly guildId: string,
    readonly name: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RegisterGuildCommand)
export class RegisterGuildHandler implements ICommandHandler<RegisterGuildCommand, GuildRegistration> {
  private readonly logger = new Logger(RegisterGuildHandler.name);

  constructor(
    private readonly commands: CommandRunner,
    private readonly discord: DiscordRolesClient,
    private readonly scheduler: SyncScheduler,
  ) {}

  async execute({ guildId, name, context }: RegisterGuildCommand): Promise<GuildRegistration> {
    const roles = await this.guildRoles(guildId);
    const adminRoleIds = (roles ?? []).filter((role) => role.administers && role.id !== guildId).map((role) => role.id);
    let result;
    try {
      result = await this.commands.run({
        streamId: streams.guild(guildId),
        decider: guildDecider,
        command: { type: 'RegisterGuild', guildId, name, adminRoleIds },
        context: { ...context, guildId },
      });
    } catch (error) {
      if (!(error instanceof StreamDeleted)) throw error;
      throw new HeraldError({
        code: 'GUILD.REMOVED',
        status: 409,
        title: 'Guild removed',
        detail: `Guild ${guildId} was removed from Herald; the event log keeps its tombstone, so it cannot be registered again.`,
      });
    }
    const known = new Set((roles ?? []).map((role) => role.id));
    const missingThresholdRoleIds = roles ? result.state.thresholds.map((t) => t.roleId).filter((id) => !known.has(id)) : [];
    if (missingThresholdRoleIds.length > 0) {
      this.logger.warn(`guild ${guildId}: threshold roles no longer exist: ${missingThresholdRoleIds.join(', ')}`);
    }
    await this.scheduler.plan(guildId);
    return { state: result.state, created: result.events.length > 0, missingThresholdRoleIds };
  }

  private async guildRoles(guildId: string): Promise<GuildRole[] | null> {
    if (!this.discord.available) return null;
    try {
      return await this.discord.guildRoles(guildId);
    } catch (error) {
      this.logger.warn(`guild ${guildId}: roles not read from Discord (${(error as Error).message}); no admin roles seeded`);
      return null;
    }
  }
}
