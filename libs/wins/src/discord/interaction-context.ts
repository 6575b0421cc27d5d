import { type ChatInputCommandInteraction, InteractionContextType, MessageFlags, type MessageMentionOptions } from 'discord.js';
import { type CommandContext, Forbidden } from '@herald/core';

/** Every wins command is used inside a server; Discord hides it in DMs. */
export const GUILD_ONLY = [InteractionContextType.Guild];

export const EPHEMERAL = MessageFlags.Ephemeral;

/** Replies name members and roles (`<@id>`, `<@&id>`) without pinging them. */
export const NO_PINGS: MessageMentionOptions = { parse: [] };

/** Discord refuses message content longer than this. */
export const MAX_MESSAGE_LENGTH = 2000;

/** Who calls a command, from which guild, and the context its events carry. */
export interface GuildCall {
  guildId: string;
  userId: string;
  context: CommandContext;
}

/**
 * The guild and caller of an interaction. Commands are registered for guilds only; a call from
 * elsewhere (a stale registration) is refused rather than run without a guild.
 */
export function guildCall(interaction: ChatInputCommandInteraction): GuildCall {
  if (!interaction.inGuild()) {
    throw new Forbidden("Herald's commands work inside a server only.", { code: 'DISCORD.GUILD_ONLY' });
  }
  const { guildId } = interaction;
  const userId = interaction.user.id;
  // The interaction id is unique per command use: it ties the events of one use together.
  return { guildId, userId, context: { source: 'discord', correlationId: interaction.id, actorId: userId, guildId } };
}

/** The caller's role ids: a cached member has a role manager, an uncached one the API's id list. */
export function memberRoleIds(interaction: ChatInputCommandInteraction): string[] {
  const roles = interaction.member?.roles;
  if (!roles) return [];
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}

/** Cuts text to what Discord accepts, saying so when it had to. */
export function fitMessage(text: string): string {
  if (text.length <= MAX_MESSAGE_LENGTH) return text;
  const marker = '\n…';
  return text.slice(0, MAX_MESSAGE_LENGTH - marker.length) + marker;
}
