import { createHash, randomUUID } from 'node:crypto';

/**
 * Namespace of Herald's name-based event ids. Fixed forever: changing it would give a retried
 * command new ids, and the store would append its events twice.
 */
const EVENT_ID_NAMESPACE = Buffer.from('5d1f0c3a8b7e4f6a9c2d1e0f3a4b5c6d', 'hex');

export function newEventId(): string {
  return randomUUID();
}

export function newCorrelationId(): string {
  return randomUUID();
}

/**
 * The id of the `index`-th event a command appends, derived from the command id (UUID v5 layout,
 * SHA-1 of namespace + name). A retried command produces the same ids, so the store's idempotent
 * re-append turns the retry into a no-op instead of a duplicate.
 */
export function deterministicEventId(commandId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError('event index must be a non-negative integer');
  }
  const bytes = createHash('sha1')
    .update(EVENT_ID_NAMESPACE)
    .update(`${commandId}#${index}`, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
