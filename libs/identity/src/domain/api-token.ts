import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'hrld_';

/** A new personal token: `hrld_` and 32 random bytes, base64url. Shown once, then only its hash exists. */
export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256, lower-case hex: how tokens are recorded and looked up. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
