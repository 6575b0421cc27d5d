import type { EventSource, RecordedEvent } from '@herald/core';

/** One line of an audit: what happened, when, by whom; secrets already redacted. */
export interface AuditEntry {
  position: number;
  type: string;
  occurredAt: string;
  actorId: string | null;
  source: EventSource;
  data: Record<string, unknown>;
}

export const REDACTED = '[redacted]';

/** Field names that hold credentials or material derived from them, at any depth. */
const SECRET_FIELD = /token|secret|password|apikey|api_key|sealed|hash|verifier|credential|private/i;

export function toAuditEntry(event: RecordedEvent): AuditEntry {
  return {
    position: event.position,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actorId: event.metadata.actorId ?? null,
    source: event.metadata.source,
    data: redactSecrets(event.data) as Record<string, unknown>,
  };
}

/** Replaces the value of every secret-looking field; events never hold plaintext secrets, but sealed ones neither belong in an audit. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, field]) => [
      key,
      SECRET_FIELD.test(key) && field !== null && typeof field !== 'boolean' ? REDACTED : redactSecrets(field),
    ]),
  );
}
