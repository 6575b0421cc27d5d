import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { ChatInputCommandInteraction } from 'discord.js';
import { NecordArgumentsHost } from 'necord';
import { HeraldError, toProblemResponse } from '@herald/core';
import { EPHEMERAL, fitMessage, NO_PINGS } from './interaction-context';

/** Short texts for failures whose own detail speaks of Herald's internals rather than to a member. */
const MESSAGES_BY_CODE: Record<string, string> = {
  'GUILD.NOT_REGISTERED':
    'This server is not registered with Herald yet. Herald registers a server when its bot joins; ask the operator if that was missed.',
  'GUILD.REMOVED': "This server's Herald data was removed; Herald no longer serves it.",
  'UPSTREAM.UNAVAILABLE': 'OpenFront is not answering right now. Try again in a few minutes.',
  'UPSTREAM.REJECTED': 'OpenFront refused the request. Try again later.',
  'UPSTREAM.MALFORMED': 'OpenFront sent an answer Herald could not read. Try again later.',
  'STREAM.CONCURRENCY_CONFLICT': 'Something else changed the same data at the same moment. Try again.',
};

export interface InteractionErrorMessage {
  content: string;
  /** Not an expected outcome: logged, its message never shown. */
  unexpected: boolean;
}

/** The short message a member sees for a failed command, and whether the failure must be logged. */
export function interactionErrorMessage(error: unknown): InteractionErrorMessage {
  const { problem, unexpected } = toProblemResponse(error);
  if (unexpected) return { content: "Something went wrong on Herald's side. It has been logged.", unexpected };
  const known = error instanceof HeraldError ? MESSAGES_BY_CODE[error.code] : undefined;
  if (known) return { content: known, unexpected };
  // One message may concern several fields (e.g. "give wins, roleId or both"): say it once.
  const fieldMessages = [...new Set((problem.errors ?? []).flatMap((field) => field.messages))];
  const content = fieldMessages.length > 0 ? `Invalid input: ${fieldMessages.join('; ')}.` : (problem.detail ?? problem.title);
  return { content: fitMessage(content), unexpected };
}

/**
 * Answers a failed slash command with a short ephemeral message instead of letting Discord show
 * "The application did not respond". Handlers defer ephemerally only, so editing a deferred reply
 * keeps the message private; after a public reply the message goes out as an ephemeral follow-up.
 */
@Catch()
export class InteractionErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(InteractionErrorFilter.name);

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const [interaction] = NecordArgumentsHost.create(host).getContext<'interactionCreate'>() as [ChatInputCommandInteraction];
    const command = interaction?.commandName ?? 'unknown';
    const { content, unexpected } = interactionErrorMessage(error);
    if (unexpected) {
      this.logger.error(`/${command} failed: ${describe(error)}`, error instanceof Error ? error.stack : undefined);
    }
    if (!interaction?.isRepliable?.()) return;
    try {
      if (interaction.deferred && !interaction.replied) await interaction.editReply({ content, allowedMentions: NO_PINGS });
      else if (interaction.replied) await interaction.followUp({ content, flags: EPHEMERAL, allowedMentions: NO_PINGS });
      else await interaction.reply({ content, flags: EPHEMERAL, allowedMentions: NO_PINGS });
    } catch (replyError) {
      // The interaction may have expired (15 minutes) or Discord may be down: nothing left to tell.
      this.logger.warn(`/${command}: the failure could not be answered: ${describe(replyError)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
