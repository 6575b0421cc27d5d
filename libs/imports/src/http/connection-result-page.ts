import type { ConnectLinkError } from '../commands/authorization-flow';
import type { AuthorizationError } from '../domain/oauth';

export type ConnectionError = AuthorizationError | ConnectLinkError;

const EXPLANATIONS: Record<ConnectionError, string> = {
  invalid_state: 'This sign-in does not match one Herald began in this browser: it was used already, or began elsewhere. Start again from Herald.',
  expired: 'More than ten minutes passed since it began. Start again from Herald.',
  access_denied: 'Access was not granted, so nothing was connected.',
  token_exchange_failed: 'The service did not hand over access. Try again in a few minutes.',
  invalid_link: 'This connect link is not valid, or was used already. Ask Herald for a new one (/integrations on Discord).',
};

export function isConnectionError(value: unknown): value is ConnectionError {
  return typeof value === 'string' && Object.hasOwn(EXPLANATIONS, value);
}

/** The small page the browser lands on; it names no user and repeats nothing from the query but a known error name. */
export function connectionResultPage(pluginName: string, error: ConnectionError | null): string {
  const title = error === null ? `${pluginName} is connected` : `${pluginName} could not be connected`;
  const body =
    error === null
      ? 'Herald imports your values every hour. You can close this window.'
      : `${EXPLANATIONS[error]} <small>(${error})</small>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Herald: ${escapeHtml(title)}</title></head>` +
    `<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto"><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
