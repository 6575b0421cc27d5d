import { createHash } from 'node:crypto';

/**
 * A stable stand-in for a token wherever one must be told apart from others in memory (limiter
 * keys, watcher identity): a digest prefix, so the token itself is never copied into such places.
 */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16);
}
