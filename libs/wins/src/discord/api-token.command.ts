import { Injectable, UseFilters } from '@nestjs/common';
import { Context, SlashCommand, type SlashCommandContext } from 'necord';
import { TokenService } from '@herald/identity';
import { EPHEMERAL, GUILD_ONLY, guildCall, NO_PINGS } from '@herald/discord';
import { winsInteractionErrors } from './interaction-errors';

/**
 * /api_token: a personal REST token, scope `user:<id>` only, shown once and only to the caller.
 * Admins get no `guild:<id>:admin` scope from here: a token keeps its scopes until revoked, while
 * Discord admin rights can be taken away at any moment, and a token pasted somewhere by mistake
 * should expose one member's links, not a whole server's settings. Guild-admin tokens are the
 * operator's to issue.
 */
@Injectable()
@UseFilters(winsInteractionErrors)
export class ApiTokenCommand {
  constructor(private readonly tokens: TokenService) {}

  @SlashCommand({ name: 'api_token', description: 'Get a personal Herald REST API token (shown once, only to you)', contexts: GUILD_ONLY })
  async onApiToken(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { guildId, userId, context } = guildCall(interaction);
    await interaction.deferReply({ flags: EPHEMERAL });
    const { tokenId, token } = await this.tokens.issue({ userId, label: `Discord /api_token in server ${guildId}`, context });
    await interaction.editReply({
      content: [
        'Your personal Herald API token. It is shown this once; Herald keeps only its hash.',
        `||${token}||`,
        `Send it as \`Authorization: Bearer <token>\`. It acts for you only (scope \`user:${userId}\`),` +
          ` e.g. on your own link: \`/api/v1/guilds/${guildId}/links/${userId}\`.`,
        `Token id \`${tokenId}\`: revoke it with \`DELETE /api/v1/users/${userId}/tokens/${tokenId}\`.`,
      ].join('\n'),
      allowedMentions: NO_PINGS,
    });
  }
}
