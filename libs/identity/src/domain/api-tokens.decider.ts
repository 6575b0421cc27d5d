import { type Decider, type FieldError, InvalidInput, NotFound } from '@herald/core';
import type { ApiTokenEvent } from './events';
import { isValidScope, SCOPE_RULE } from './scopes';
import type { WebSessionProfile } from './web-session';

//////// Commands ////////

export interface IssueApiToken {
  type: 'IssueApiToken';
  tokenId: string;
  tokenHash: string;
  scopes: string[];
  label?: string;
  expiresAt?: string;
  /** Makes the token a web console session. */
  session?: WebSessionProfile;
  /** When the command was accepted: an expiry must lie after it. */
  requestedAt: string;
}

export interface RevokeApiToken {
  type: 'RevokeApiToken';
  tokenId: string;
}

export type ApiTokenCommand = IssueApiToken | RevokeApiToken;

//////// State ////////

/** The tokens of one user, by token id. */
export interface ApiTokensState {
  tokens: ReadonlyMap<string, { revoked: boolean }>;
}

export const MAX_LABEL_LENGTH = 100;
const SHA256_HEX = /^[0-9a-f]{64}$/;

//////// Decide ////////

function decide(command: ApiTokenCommand, state: ApiTokensState): ApiTokenEvent[] {
  switch (command.type) {
    case 'IssueApiToken':
      return issue(command, state);
    case 'RevokeApiToken':
      return revoke(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function issue(command: IssueApiToken, state: ApiTokensState): ApiTokenEvent[] {
  if (!SHA256_HEX.test(command.tokenHash)) throw new Error('tokenHash must be a SHA-256 hex digest');
  if (state.tokens.has(command.tokenId)) return [];
  const errors = issueInputErrors(command);
  if (errors.length > 0) {
    throw new InvalidInput(`Invalid fields: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  }
  return [
    {
      type: 'ApiTokenIssued',
      data: {
        tokenId: command.tokenId,
        tokenHash: command.tokenHash,
        scopes: [...new Set(command.scopes)],
        ...(command.label === undefined ? {} : { label: command.label }),
        ...(command.expiresAt === undefined ? {} : { expiresAt: new Date(command.expiresAt).toISOString() }),
        ...(command.session === undefined ? {} : { session: command.session }),
      },
    },
  ];
}

function issueInputErrors(command: IssueApiToken): FieldError[] {
  const errors: FieldError[] = command.scopes
    .map((scope, index) => ({ scope, index }))
    .filter(({ scope }) => !isValidScope(scope))
    .map(({ index }) => ({
      field: `scopes[${index}]`,
      messages: [`scope ${SCOPE_RULE}`],
    }));
  if (command.label !== undefined && (command.label.trim() === '' || command.label.length > MAX_LABEL_LENGTH)) {
    errors.push({ field: 'label', messages: [`label must be 1-${MAX_LABEL_LENGTH} characters`] });
  }
  if (command.expiresAt !== undefined) {
    const expiresAt = Date.parse(command.expiresAt);
    if (Number.isNaN(expiresAt) || expiresAt <= Date.parse(command.requestedAt)) {
      errors.push({ field: 'expiresAt', messages: ['expiresAt must be an ISO-8601 time in the future'] });
    }
  }
  return errors;
}

function revoke(command: RevokeApiToken, state: ApiTokensState): ApiTokenEvent[] {
  const token = state.tokens.get(command.tokenId);
  if (!token) throw new NotFound('No such token.', { code: 'TOKEN.NOT_FOUND' });
  return token.revoked ? [] : [{ type: 'ApiTokenRevoked', data: { tokenId: command.tokenId } }];
}

//////// Evolve ////////

function evolve(state: ApiTokensState, event: ApiTokenEvent): ApiTokensState {
  switch (event.type) {
    case 'ApiTokenIssued':
      return { tokens: new Map(state.tokens).set(event.data.tokenId, { revoked: false }) };
    case 'ApiTokenRevoked':
      return { tokens: new Map(state.tokens).set(event.data.tokenId, { revoked: true }) };
    default:
      // The user stream also holds other features' events (follows): they do not touch tokens.
      return state;
  }
}

/** A user's API tokens (stream `user-<userId>`). */
export const apiTokensDecider: Decider<ApiTokenCommand, ApiTokenEvent, ApiTokensState> = {
  decide,
  evolve,
  initialState: () => ({ tokens: new Map() }),
};
