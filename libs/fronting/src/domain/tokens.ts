import type { FieldError } from '@herald/core';

/*
 * What real tokens look like, from the services' own code:
 * - SimplyPlural API tokens are `randomBytes(48).toString("base64")` (SimplyPluralApi
 *   src/modules/api/keys.ts): 64 characters of standard base64, no padding.
 * - PluralKit's `pk;token` tokens are 48 random bytes in standard base64 too (PluralKit
 *   StringUtils.GenerateToken), 64 characters. PluralKit's newer API keys (docs/content/api/tokens.md)
 *   are `pkapi:<base64 JSON>:<base64url signature>` of variable length, sent with a `Bearer` prefix.
 * Both legacy shapes are the same, so a shape check cannot tell a SimplyPlural token from a
 * PluralKit one; it catches truncated pastes, spaces, and the wrong thing pasted altogether.
 */
const BASE64_OF_48_BYTES = /^[A-Za-z0-9+/]{64}$/;
const PLURALKIT_API_KEY = /^pkapi:[A-Za-z0-9+/_-]+={0,2}:[A-Za-z0-9_-]+$/;
const PLURALKIT_API_KEY_PREFIX = 'pkapi:';

export const SIMPLYPLURAL_TOKEN_RULE =
  'must be a SimplyPlural API token: 64 letters, digits, + or / (create one in SimplyPlural\'s account settings, with read permission)';
export const PLURALKIT_TOKEN_RULE =
  'must be a PluralKit token: the 64 characters that pk;token sends you, or an API key starting with pkapi:';

export function isSimplyPluralToken(value: unknown): value is string {
  return typeof value === 'string' && BASE64_OF_48_BYTES.test(value);
}

export function isPluralKitToken(value: unknown): value is string {
  return typeof value === 'string' && (BASE64_OF_48_BYTES.test(value) || PLURALKIT_API_KEY.test(value));
}

/** The `Authorization` header value for a PluralKit token: legacy tokens go as they are, API keys as `Bearer`. */
export function pluralKitAuthorization(token: string): string {
  return token.startsWith(PLURALKIT_API_KEY_PREFIX) ? `Bearer ${token}` : token;
}

/** The last four characters, all a masked view shows of a token (callers pass shape-checked tokens). */
export function lastFour(token: string): string {
  return token.slice(-4);
}

export interface FrontingTokenInput {
  simplyPluralToken?: unknown;
  pluralKitToken?: unknown;
}

/**
 * Field errors for tokens a user submits; absent or null (remove the token) is not checked here.
 * The messages describe the expected shape and never repeat what was sent.
 */
export function frontingTokenInputErrors(input: FrontingTokenInput): FieldError[] {
  const errors: FieldError[] = [];
  const given = (value: unknown) => value !== undefined && value !== null;
  if (given(input.simplyPluralToken) && !isSimplyPluralToken(input.simplyPluralToken)) {
    errors.push({ field: 'simplyPluralToken', messages: [`simplyPluralToken ${SIMPLYPLURAL_TOKEN_RULE}`] });
  }
  if (given(input.pluralKitToken) && !isPluralKitToken(input.pluralKitToken)) {
    errors.push({ field: 'pluralKitToken', messages: [`pluralKitToken ${PLURALKIT_TOKEN_RULE}`] });
  } else if (given(input.pluralKitToken) && input.pluralKitToken === input.simplyPluralToken) {
    errors.push({
      field: 'pluralKitToken',
      messages: ['pluralKitToken must differ from simplyPluralToken: the same token was given for both'],
    });
  }
  return errors;
}
