import { Inject, Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Context, Options, SlashCommand, type SlashCommandContext } from 'necord';
import { CLOCK, type Clock } from '@herald/core';
import { LinkPlayerCommand } from '../commands/link-player.command';
import { UnlinkPlayerCommand } from '../commands/unlink-player.command';
import { WinsReadModel } from '../projections/wins.read-model';
import { LinkOptions, LinkOverrideOptions, MemberOptions, optionRules, requireValidOptions } from './command-options';
import { GuildAdmins } from './guild-admins';
import { EPHEMERAL, GUILD_ONLY, guildCall, NO_PINGS } from '@herald/discord';
import { winsInteractionErrors } from './interaction-errors';
import { linkedText, statusText } from './replies';

/** /link, /unlink, /link_override, /status: a member's link to their OpenFront player. */
@Injectable()
@UseFilters(winsInteractionErrors)
export class PlayerLinkCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly admins: GuildAdmins,
    private readonly readModel: WinsReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @SlashCommand({ name: 'link', description: 'Link your OpenFront player so your wins earn roles here', contexts: GUILD_ONLY })
  async onLink(@Context() [interaction]: SlashCommandContext, @Options() { playerId }: LinkOptions): Promise<void> {
    const { guildId, userId, context } = guildCall(interaction);
    requireValidOptions(optionRules.playerId(playerId));
    await interaction.deferReply({ flags: EPHEMERAL });
    // The interaction proves the caller is a member: no membership check over Discord.
    const result = await this.bus.execute(new LinkPlayerCommand(guildId, userId, playerId, 'member', context, false));
    await interaction.editReply({ content: linkedText(result, userId, true), allowedMentions: NO_PINGS });
  }

  @SlashCommand({ name: 'unlink', description: 'Unlink your OpenFront player; Herald takes back its win roles', contexts: GUILD_ONLY })
  async onUnlink(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { guildId, userId, context } = guildCall(interaction);
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.bus.execute(new UnlinkPlayerCommand(guildId, userId, context));
    await interaction.editReply({ content: 'Your OpenFront player is unlinked and your win roles are taken back.', allowedMentions: NO_PINGS });
  }

  @SlashCommand({ name: 'link_override', description: "Admin: link a member's OpenFront player for them", contexts: GUILD_ONLY })
  async onLinkOverride(@Context() [interaction]: SlashCommandContext, @Options() { user, playerId }: LinkOverrideOptions): Promise<void> {
    const { guildId, context } = guildCall(interaction);
    requireValidOptions(optionRules.user(user), optionRules.playerId(playerId));
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.admins.require(interaction, guildId);
    // A user option may name anyone on Discord: make sure they are in this server.
    const result = await this.bus.execute(new LinkPlayerCommand(guildId, user.id, playerId, 'admin', context, true));
    await interaction.editReply({ content: linkedText(result, user.id, false), allowedMentions: NO_PINGS });
  }

  @SlashCommand({ name: 'status', description: 'Show a linked player, wins, role and last sync', contexts: GUILD_ONLY })
  async onStatus(@Context() [interaction]: SlashCommandContext, @Options() { user }: MemberOptions): Promise<void> {
    const { guildId, userId } = guildCall(interaction);
    if (user) requireValidOptions(optionRules.user(user));
    const target = user?.id ?? userId;
    const [player, settings, admin] = await Promise.all([
      this.readModel.player(guildId, target),
      this.readModel.settings(guildId),
      this.admins.isAdmin(interaction, guildId),
    ]);
    const content = statusText({ userId: target, self: target === userId, player, settings, showGuildProblems: admin, now: this.clock.now() });
    await interaction.reply({ content, flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }
}
