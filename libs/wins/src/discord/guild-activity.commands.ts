import { Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Context, Options, SlashCommand, type SlashCommandContext } from 'necord';
import { AuditService } from '@herald/audit';
import { SyncGuildCommand } from '../commands/sync-guild.command';
import { WinsReadModel } from '../projections/wins.read-model';
import { AuditOptions, optionRules, requireValidOptions, SyncOptions } from './command-options';
import { GuildAdmins } from './guild-admins';
import { EPHEMERAL, GUILD_ONLY, guildCall, NO_PINGS } from '@herald/discord';
import { winsInteractionErrors } from './interaction-errors';
import { auditText, leaderboardText, LINES_PER_PAGE, syncSummaryText } from './replies';

/** /sync, /leaderboard, /audit: what happens in a guild. */
@Injectable()
@UseFilters(winsInteractionErrors)
export class GuildActivityCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly admins: GuildAdmins,
    private readonly readModel: WinsReadModel,
    private readonly audit: AuditService,
  ) {}

  @SlashCommand({ name: 'sync', description: "Admin: count wins and repair roles now, for everyone or one member", contexts: GUILD_ONLY })
  async onSync(@Context() [interaction]: SlashCommandContext, @Options() { user }: SyncOptions): Promise<void> {
    const { guildId, context } = guildCall(interaction);
    if (user) requireValidOptions(optionRules.user(user));
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.admins.require(interaction, guildId);
    // An admin's sync re-reads members' actual roles, so drift made by hand in Discord is repaired.
    const run = await this.bus.execute(new SyncGuildCommand(guildId, { userId: user?.id, repairRoles: true }, context));
    const finished = await run.done;
    await interaction.editReply({ content: syncSummaryText(finished, user?.id), allowedMentions: NO_PINGS });
  }

  @SlashCommand({ name: 'leaderboard', description: 'Show the members with the most wins', contexts: GUILD_ONLY })
  async onLeaderboard(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { guildId } = guildCall(interaction);
    const { items } = await this.readModel.leaderboard(guildId, { limit: LINES_PER_PAGE });
    await interaction.reply({ content: leaderboardText(items), allowedMentions: NO_PINGS });
  }

  @SlashCommand({ name: 'audit', description: "Admin: this server's Herald history, newest first", contexts: GUILD_ONLY })
  async onAudit(@Context() [interaction]: SlashCommandContext, @Options() { page }: AuditOptions): Promise<void> {
    const { guildId } = guildCall(interaction);
    const pageNumber = page ?? 1;
    requireValidOptions(optionRules.auditPage(pageNumber));
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.admins.require(interaction, guildId);
    const entries = await this.audit.guildAudit(guildId, { page: pageNumber, pageSize: LINES_PER_PAGE });
    await interaction.editReply({ content: auditText(entries), allowedMentions: NO_PINGS });
  }
}
