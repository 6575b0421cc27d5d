import { Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ChatInputCommandInteraction } from 'discord.js';
import { Context, Options, SlashCommand, type SlashCommandContext } from 'necord';
import { NotFound } from '@herald/core';
import { ConfigureGuildCommand } from '../commands/configure-guild.command';
import type { GuildChange } from '../domain/guild.decider';
import { RemoveGuildCommand } from '../commands/remove-guild.command';
import { WinsState } from '../commands/wins-state';
import type { GuildState } from '../domain/guild.decider';
import type { CountingMode } from '../domain/ids';
import {
  AdminRoleOptions,
  ClanTagOptions,
  CountingModeOptions,
  GuildRemoveOptions,
  optionRules,
  RemoveRoleThresholdOptions,
  requireValidOptions,
  RoleThresholdOptions,
} from './command-options';
import { GuildAdmins } from './guild-admins';
import { EPHEMERAL, GUILD_ONLY, type GuildCall, guildCall, NO_PINGS } from '@herald/discord';
import { winsInteractionErrors } from './interaction-errors';
import { adminRolesText, clanTagsText, countingModeText, thresholdsText } from './replies';

const RECOUNT_NOTE = "Herald is bringing members' wins and roles in line now.";

/**
 * A guild's wins settings: counting mode, win roles, clan tags, admin roles, and removing the
 * guild. Changes are for admins; the lists are for everyone. Lists read the guild's stream, so an
 * admin sees a change the moment it is made.
 */
@Injectable()
@UseFilters(winsInteractionErrors)
export class GuildSettingsCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly admins: GuildAdmins,
    private readonly state: WinsState,
  ) {}

  @SlashCommand({ name: 'set_mode', description: 'Admin: choose how wins are counted', contexts: GUILD_ONLY })
  async onSetMode(@Context() [interaction]: SlashCommandContext, @Options() { mode }: CountingModeOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.countingMode(mode));
    const change: GuildChange = { type: 'ChangeGuildSettings', guildId: call.guildId, countingMode: mode as CountingMode };
    await this.change(interaction, call, change, (state) => `${countingModeText(state.countingMode, state.clanTags)}\n${RECOUNT_NOTE}`);
  }

  @SlashCommand({ name: 'get_mode', description: 'Show how wins are counted here', contexts: GUILD_ONLY })
  async onGetMode(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.show(interaction, (state) => countingModeText(state.countingMode, state.clanTags));
  }

  @SlashCommand({ name: 'roles_add', description: 'Admin: give a role to members with at least this many wins', contexts: GUILD_ONLY })
  async onRolesAdd(@Context() [interaction]: SlashCommandContext, @Options() { wins, role }: RoleThresholdOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.wins(wins), optionRules.grantableRole(role, call.guildId));
    const change: GuildChange = { type: 'SetRoleThreshold', guildId: call.guildId, wins, roleId: role.id };
    await this.change(interaction, call, change, (state) => `${thresholdsText(state.thresholds)}\n${RECOUNT_NOTE}`);
  }

  @SlashCommand({ name: 'roles_remove', description: 'Admin: remove a win role, by its wins, its role or both', contexts: GUILD_ONLY })
  async onRolesRemove(@Context() [interaction]: SlashCommandContext, @Options() { wins, role }: RemoveRoleThresholdOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(wins === null ? [] : optionRules.wins(wins), role === null ? [] : optionRules.role(role));
    const change: GuildChange = { type: 'RemoveRoleThreshold', guildId: call.guildId, wins: wins ?? undefined, roleId: role?.id };
    await this.change(interaction, call, change, (state) => `${thresholdsText(state.thresholds)}\n${RECOUNT_NOTE}`);
  }

  @SlashCommand({ name: 'roles', description: 'List the win roles', contexts: GUILD_ONLY })
  async onRoles(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.show(interaction, (state) => thresholdsText(state.thresholds));
  }

  @SlashCommand({ name: 'clan_tag_add', description: 'Admin: count wins played under this clan tag', contexts: GUILD_ONLY })
  async onClanTagAdd(@Context() [interaction]: SlashCommandContext, @Options() { tag }: ClanTagOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.clanTag(tag));
    await this.change(interaction, call, { type: 'AddClanTag', guildId: call.guildId, tag }, clanTagsReply);
  }

  @SlashCommand({ name: 'clan_tag_remove', description: 'Admin: stop counting wins under this clan tag', contexts: GUILD_ONLY })
  async onClanTagRemove(@Context() [interaction]: SlashCommandContext, @Options() { tag }: ClanTagOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.clanTag(tag));
    await this.change(interaction, call, { type: 'RemoveClanTag', guildId: call.guildId, tag }, clanTagsReply);
  }

  @SlashCommand({ name: 'clans_list', description: 'List the clan tags whose wins count here', contexts: GUILD_ONLY })
  async onClansList(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.show(interaction, (state) => clanTagsText(state.clanTags));
  }

  @SlashCommand({ name: 'admin_role_add', description: "Admin: let members with this role use Herald's admin commands", contexts: GUILD_ONLY })
  async onAdminRoleAdd(@Context() [interaction]: SlashCommandContext, @Options() { role }: AdminRoleOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.adminRole(role, call.guildId));
    await this.change(interaction, call, { type: 'AddAdminRole', guildId: call.guildId, roleId: role.id }, adminRolesReply);
  }

  @SlashCommand({ name: 'admin_role_remove', description: 'Admin: take Herald admin rights from a role', contexts: GUILD_ONLY })
  async onAdminRoleRemove(@Context() [interaction]: SlashCommandContext, @Options() { role }: AdminRoleOptions): Promise<void> {
    const call = guildCall(interaction);
    requireValidOptions(optionRules.role(role));
    await this.change(interaction, call, { type: 'RemoveAdminRole', guildId: call.guildId, roleId: role.id }, adminRolesReply);
  }

  @SlashCommand({ name: 'admin_roles', description: 'List who may use Herald admin commands', contexts: GUILD_ONLY })
  async onAdminRoles(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.show(interaction, adminRolesReply);
  }

  @SlashCommand({ name: 'guild_remove', description: "Admin: delete all of this server's Herald data", contexts: GUILD_ONLY })
  async onGuildRemove(@Context() [interaction]: SlashCommandContext, @Options() { confirm }: GuildRemoveOptions): Promise<void> {
    const { guildId, context } = guildCall(interaction);
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.admins.require(interaction, guildId);
    // The command refuses anything but confirm: true, as the REST route does.
    await this.bus.execute(new RemoveGuildCommand(guildId, confirm === true, context));
    await interaction.editReply({
      content: "Herald deleted this server's data: links, wins, settings and sync history. Roles already given stay as they are.",
      allowedMentions: NO_PINGS,
    });
  }

  /** An admin's change: defer (the change may start a sync), check rights, apply, answer with the new state. */
  private async change(
    interaction: ChatInputCommandInteraction,
    { guildId, context }: GuildCall,
    change: GuildChange,
    answer: (state: GuildState) => string,
  ): Promise<void> {
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.admins.require(interaction, guildId);
    const state = await this.bus.execute(new ConfigureGuildCommand(change, context));
    await interaction.editReply({ content: answer(state), allowedMentions: NO_PINGS });
  }

  private async show(interaction: ChatInputCommandInteraction, text: (state: GuildState) => string): Promise<void> {
    const { guildId } = guildCall(interaction);
    const state = await this.state.guild(guildId);
    if (!state.registered) throw new NotFound(`Guild ${guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
    await interaction.reply({ content: text(state), flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }
}

function adminRolesReply(state: GuildState): string {
  return adminRolesText(state.adminRoleIds);
}

function clanTagsReply(state: GuildState): string {
  const recount = state.countingMode === 'sessions_with_clan' ? `\n${RECOUNT_NOTE}` : '';
  return `${clanTagsText(state.clanTags)}${recount}`;
}
