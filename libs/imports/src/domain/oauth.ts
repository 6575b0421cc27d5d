import { createHash, randomBytes } from 'node:crypto';
import type { OAuthConfig } from './plugin';

/** How long a started authorization (and a connect link) may be completed: the provider's code lives as long. */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

/** Named outcomes of the callback, sent back to the browser as `?error=`. */
export type AuthorizationError = 'invalid_state' | 'expired' | 'access_denied' | 'token_exchange_failed';

/** 32 random bytes, base64url: a PKCE verifier (43 characters of `[A-Za-z0-9-_]`), a state, a cookie binding. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 S256: base64url(SHA-256(verifier)) without padding. */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** What is stored instead of a bearer value (state, cookie binding, connect ticket): its SHA-256, hex. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The provider's authorize URL for the browser: code flow with PKCE S256 and the state. */
export function authorizeUrl(config: OAuthConfig, state: string, verifier: string): string {
  const url = new URL(config.authorizeUrl);
  const params = {
    client_id: config.clientId,
    response_type: 'code',
    scope: config.scopes.join(' '),
    redirect_uri: config.redirectUri,
    code_challenge: codeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...config.authorizeParams,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
