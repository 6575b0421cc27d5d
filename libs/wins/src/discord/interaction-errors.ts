import { InteractionErrorFilter } from '@herald/discord';

/** The wins commands' failures in a member's words, where the error's own detail speaks of Herald's internals. */
export const WINS_ERROR_MESSAGES = {
  'GUILD.NOT_REGISTERED':
    'This server is not registered with Herald yet. Herald registers a server when its bot joins; ask the operator if that was missed.',
  'GUILD.REMOVED': "This server's Herald data was removed; Herald no longer serves it.",
  'UPSTREAM.UNAVAILABLE': 'OpenFront is not answering right now. Try again in a few minutes.',
  'UPSTREAM.REJECTED': 'OpenFront refused the request. Try again later.',
  'UPSTREAM.MALFORMED': 'OpenFront sent an answer Herald could not read. Try again later.',
} as const;

/** The exception filter of every wins command class. */
export const winsInteractionErrors = new InteractionErrorFilter(WINS_ERROR_MESSAGES);
