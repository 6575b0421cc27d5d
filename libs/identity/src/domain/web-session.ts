import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A browser session of the web console IS a personal API token (so revocation, expiry, audit and
 * the REST guard work as for tokens), held only in this HttpOnly cookie.
 */
export const SESSION_COOKIE = 'herald_session';

export const WEB_SESSION_LABEL = 'web console session';

/** The header every cookie-authenticated write must carry (double submit, derived from the session). */
export const CSRF_HEADER = 'x-csrf-token';

export const OPERATOR_DISPLAY_NAME = 'Operator';

/** A guild the session's user administers on Discord and that Herald serves. */
export interface AdminGuild {
  guildId: string;
  name: string;
}

/** What the console shows of a session: nothing secret, kept in the token's read model, never in the cookie. */
export interface WebSessionProfile {
  displayName: string;
  adminGuilds: AdminGuild[];
}

/** A read cannot change anything, so only other methods need the CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * The CSRF token of a session: base64url(SHA-256("herald-csrf:" + session token)). A page can learn
 * it only from `GET /auth/session`, which another site cannot read; it reveals nothing of the token.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`herald-csrf:${sessionToken}`, 'utf8').digest('base64url');
}

export function isCsrfTokenOf(sessionToken: string, presented: string | undefined): boolean {
  return presented !== undefined && sameSecret(presented, csrfTokenFor(sessionToken));
}

/** Compares digests of both values, so the time taken says nothing of how much of a secret matched. */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
