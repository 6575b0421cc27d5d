import type { DomainEvent } from '@herald/core';
import type { WebSessionProfile } from './web-session';

/** A personal API token was issued. Only its SHA-256 hash is recorded, never the token. */
export type ApiTokenIssued = DomainEvent<
  'ApiTokenIssued',
  {
    tokenId: string;
    /** SHA-256 of the token, lower-case hex. */
    tokenHash: string;
    scopes: string[];
    label?: string;
    /** ISO-8601; absent: the token does not expire. */
    expiresAt?: string;
    /** Present when the token is a web console session: what the console shows of it. */
    session?: WebSessionProfile;
  }
>;

export type ApiTokenRevoked = DomainEvent<'ApiTokenRevoked', { tokenId: string }>;

/** Events of the `user-<userId>` stream that concern API tokens. */
export type ApiTokenEvent = ApiTokenIssued | ApiTokenRevoked;

export const API_TOKEN_EVENT_TYPES: ReadonlyArray<ApiTokenEvent['type']> = ['ApiTokenIssued', 'ApiTokenRevoked'];
