import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Interaction } from 'discord.js';
import { NecordArgumentsHost } from 'necord';
import { HeraldError, toProblemResponse } from '@herald/core';
import { EPHEMERAL, NO_PINGS } from './interaction-context';
import { fitMessage } from './message-text';

/** Texts a member sees instead of a failure's own detail, by error code (`AREA.REASON`). */
export type MessagesByCode = Readonly<Record<string, string>>;

/** Failures any command can meet, whose own detail speaks of Herald's internals rather than to a member. */
const COMMON_MESSAGES: MessagesByCode = {
  'STREAM.CONCURRENCY_CONFLICT': 'Something else changed the same data at the same moment. Try again.',
  'UPSTREAM.UNAVAILABLE': 'A service Herald depends on is not answering right now. Try again in a few minutes.',
  'UPSTREAM.REJECTED': 'A service Herald depends on refused the request. Try again later.',
  'UPSTREAM.MALFORMED': 'A service Herald depends on sent an answer Herald could not read. Try again later.',
};

export interface InteractionErrorMessage {
  content: string;
  /** Not an expected outcome: logged, its message never shown. */
  unexpected: boolean;
}

/**
 * The short message a member sees for a failed command, and whether the failure must be logged.
 * `messages` (a feature's own texts) take precedence over the common ones.
 */
export function interactionErrorMessage(error: unknown, messages: MessagesByCode = {}): InteractionErrorMessage {
  const { problem, unexpected } = toProblemResponse(error);
  if (unexpected) return { content: "Something went wrong on Herald's side. It has been logged.", unexpected };
  const known = error instanceof HeraldError ? (messages[error.code] ?? COMMON_MESSAGES[error.code]) : undefined;
  if (known) return { content: known, unexpected };
  // One message may concern several fields (e.g. "give wins, roleId or both"): say it once.
  const fieldMessages = [...new Set((problem.errors ?? []).flatMap((field) => field.messages))];
  const content = fieldMessages.length > 0 ? `Invalid input: ${fieldMessages.join('; ')}.` : (problem.detail ?? problem.title);
  return { content: fitMessage(content), unexpected };
}

/**
 * Answers a failed slash command or modal with a short ephemeral message instead of letting
 * Discord show "The application did not respond". Handlers defer ephemerally only, so editing a
 * deferred reply keeps the message private; after a public reply the message goes out as an
 * ephemeral follow-up. Apply an instance, `@UseFilters(new InteractionErrorFilter())`, giving it the
 * texts of a feature's own failures where their detail would not speak to a member
 * (`new InteractionErrorFilter({ 'GUILD.REMOVED': '…' })`); the class takes no injected dependencies.
 */
@Catch()
export class InteractionErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(InteractionErrorFilter.name);

  constructor(private readonly messages: MessagesByCode = {}) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const [interaction] = NecordArgumentsHost.create(host).getContext<'interactionCreate'>() as [Interaction | undefined];
    const source = interactionName(interaction);
    const { content, unexpected } = interactionErrorMessage(error, this.messages);
    if (unexpected) {
      this.logger.error(`${source} failed: ${describe(error)}`, error instanceof Error ? error.stack : undefined);
    }
    if (!interaction?.isRepliable?.()) return;
    try {
      if (interaction.deferred && !interaction.replied) await interaction.editReply({ content, allowedMentions: NO_PINGS });
      else if (interaction.replied) await interaction.followUp({ content, flags: EPHEMERAL, allowedMentions: NO_PINGS });
      else await interaction.reply({ content, flags: EPHEMERAL, allowedMentions: NO_PINGS });
    } catch (replyError) {
      // The interaction may have expired (15 minutes) or Discord may be down: nothing left to tell.
      this.logger.warn(`${source}: the failure could not be answered: ${describe(replyError)}`);
    }
  }
}

/** `/command` for a slash command, the custom id for a modal or a component; never what the member typed. */
function interactionName(interaction: Interaction | undefined): string {
  if (interaction && 'commandName' in interaction) return `/${interaction.commandName}`;
  if (interaction && 'customId' in interaction) return `interaction ${interaction.customId}`;
  return 'an interaction';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
