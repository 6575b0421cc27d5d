import {
  type BaseInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  type MessageMentionOptions,
} from 'discord.js';
import { type CommandContext, Forbidden } from '@herald/core';

/** Commands about a server: Discord hides them in DMs. */
export const GUILD_ONLY = [InteractionContextType.Guild];

/** Commands about the caller alone, usable in a server and in a DM with the bot. */
export const GUILDS_AND_DMS = [InteractionContextType.Guild, InteractionContextType.BotDM];

export const EPHEMERAL = MessageFlags.Ephemeral;

/** Replies name members and roles (`<@id>`, `<@&id>`) without pinging them. */
export const NO_PINGS: MessageMentionOptions = { parse: [] };

/** Who calls a command on their own behalf, and the context its events carry. */
export interface UserCall {
  userId: string;
  context: CommandContext;
}

/** Who calls a command, from which guild, and the context its events carry. */
export interface GuildCall extends UserCall {
  guildId: string;
}

/**
 * The caller of an interaction, wherever it was used. The events name no guild: what a member
 * does for themselves is theirs, not the server's they happened to type in.
 */
export function userCall(interaction: BaseInteraction): UserCall {
  const userId = interaction.user.id;
  // The interaction id is unique per command use: it ties the events of one use together.
  return { userId, context: { source: 'discord', correlationId: interaction.id, actorId: userId } };
}

/**
 * The guild and caller of an interaction. Guild commands are registered for guilds only; a call
 * from elsewhere (a stale registration) is refused rather than run without a guild.
 */
export function guildCall(interaction: ChatInputCommandInteraction): GuildCall {
  if (!interaction.inGuild()) {
    throw new Forbidden("Herald's commands work inside a server only.", { code: 'DISCORD.GUILD_ONLY' });
  }
  const { guildId } = interaction;
  const { userId, context } = userCall(interaction);
  return { guildId, userId, context: { ...context, guildId } };
}

/** The caller's role ids: a cached member has a role manager, an uncached one the API's id list. */
export function memberRoleIds(interaction: ChatInputCommandInteraction): string[] {
  const roles = interaction.member?.roles;
  if (!roles) return [];
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}
