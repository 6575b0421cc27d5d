import { Injectable } from '@nestjs/common';
import { type ChatInputCommandInteraction, PermissionFlagsBits } from 'discord.js';
import { Forbidden } from '@herald/core';
import { WinsState } from '../commands/wins-state';
import { memberRoleIds } from '@herald/discord';

/**
 * Who may run a guild's admin commands: members with Administrator or Manage Server, and members
 * holding one of the guild's stored admin roles. Checked in the handler on every call, because a
 * command's default permissions are only a default that server admins can change.
 */
@Injectable()
export class GuildAdmins {
  constructor(private readonly state: WinsState) {}

  async isAdmin(interaction: ChatInputCommandInteraction, guildId: string): Promise<boolean> {
    if (interaction.memberPermissions?.any([PermissionFlagsBits.Administrator, PermissionFlagsBits.ManageGuild])) {
      return true;
    }
    const held = new Set(memberRoleIds(interaction));
    if (held.size === 0) return false;
    // The guild's stream, not a read model: an admin role removed a moment ago no longer counts.
    const { adminRoleIds } = await this.state.guild(guildId);
    return adminRoleIds.some((roleId) => held.has(roleId));
  }

  async require(interaction: ChatInputCommandInteraction, guildId: string): Promise<void> {
    if (await this.isAdmin(interaction, guildId)) return;
    throw new Forbidden(
      `/${interaction.commandName} is for server admins: Administrator or Manage Server, or one of Herald's admin roles (see /admin_roles).`,
      { code: 'GUILD.ADMIN_REQUIRED' },
    );
  }
}
