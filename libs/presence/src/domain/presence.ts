import type { FieldError } from '@herald/core';

/** What a user can be; `offline` is also what Herald sets when they go silent or hide. */
export const PRESENCE_STATUSES = ['online', 'away', 'dnd', 'in_studio', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

export const STATUS_RULE = `must be one of ${PRESENCE_STATUSES.join(', ')}`;

/** Longest status message, in characters (code points, so an emoji counts once). */
export const MAX_STATUS_MESSAGE_LENGTH = 255;
export const STATUS_MESSAGE_RULE = `must be at most ${MAX_STATUS_MESSAGE_LENGTH} characters`;

/** Longest DAW name ("Ableton Live 12 Suite" fits many times over). */
export const MAX_DAW_LENGTH = 64;
export const DAW_RULE = `must be at most ${MAX_DAW_LENGTH} characters`;

/** The status, message and DAW a user shows: what followers see change. */
export interface PresenceTuple {
  status: PresenceStatus;
  message: string | null;
  daw: string | null;
}

export const OFFLINE: PresenceTuple = Object.freeze({ status: 'offline', message: null, daw: null });

/** What a user who never chose anything shows while connected. */
export const DEFAULT_CHOICE: PresenceTuple = Object.freeze({ status: 'online', message: null, daw: null });

export function isPresenceStatus(value: unknown): value is PresenceStatus {
  return typeof value === 'string' && (PRESENCE_STATUSES as readonly string[]).includes(value);
}

export function characterCount(text: string): number {
  let count = 0;
  for (const _codePoint of text) count += 1;
  return count;
}

export function isStatusMessage(value: unknown): value is string {
  return typeof value === 'string' && characterCount(value) <= MAX_STATUS_MESSAGE_LENGTH;
}

export function isDawName(value: unknown): value is string {
  return typeof value === 'string' && characterCount(value) <= MAX_DAW_LENGTH;
}

/** Free text as stored: trimmed, and an empty text is no text. */
export function normalizeText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The rules a requested presence breaks (one entry per field); REST, Discord and the decider share them. */
export function presenceInputErrors(input: { status: unknown; message?: unknown; daw?: unknown }): FieldError[] {
  const errors: FieldError[] = [];
  if (!isPresenceStatus(input.status)) errors.push({ field: 'status', messages: [`status ${STATUS_RULE}`] });
  if (input.message != null && !isStatusMessage(input.message)) {
    errors.push({ field: 'message', messages: [`message ${STATUS_MESSAGE_RULE}`] });
  }
  if (input.daw != null && !isDawName(input.daw)) errors.push({ field: 'daw', messages: [`daw ${DAW_RULE}`] });
  return errors;
}

export function sameTuple(a: PresenceTuple, b: PresenceTuple): boolean {
  return a.status === b.status && a.message === b.message && a.daw === b.daw;
}

/** `GET /presence/following` lists people in the studio first, then by how reachable they are. */
export const FOLLOWING_ORDER: Readonly<Record<PresenceStatus, number>> = {
  in_studio: 0,
  online: 1,
  away: 2,
  dnd: 3,
  offline: 4,
};
