import { foldEvents, InvalidInput, NotFound } from '@herald/core';
import { apiTokensDecider, type ApiTokenCommand, type IssueApiToken } from './api-tokens.decider';
import type { ApiTokenEvent } from './events';

const HASH = 'a'.repeat(64);
const NOW = '2025-03-01T12:00:00.000Z';

const issue = (overrides: Partial<IssueApiToken> = {}): IssueApiToken => ({
  type: 'IssueApiToken',
  tokenId: 't1',
  tokenHash: HASH,
  scopes: ['user:alice'],
  requestedAt: NOW,
  ...overrides,
});
const issued = (tokenId = 't1'): ApiTokenEvent => ({
  type: 'ApiTokenIssued',
  data: { tokenId, tokenHash: HASH, scopes: ['user:alice'] },
});
const revoked = (tokenId = 't1'): ApiTokenEvent => ({ type: 'ApiTokenRevoked', data: { tokenId } });

function given(events: ApiTokenEvent[]) {
  return { when: (command: ApiTokenCommand) => () => apiTokensDecider.decide(command, foldEvents(apiTokensDecider, events)) };
}

describe('api tokens decider', () => {
  it('records an issued token by its hash, with deduplicated scopes, label and expiry', () => {
    const events = given([]).when(
      issue({ scopes: ['user:alice', 'audit:*', 'user:alice'], label: 'laptop', expiresAt: '2026-01-01T00:00:00Z' }),
    )();
    expect(events).toEqual([
      {
        type: 'ApiTokenIssued',
        data: {
          tokenId: 't1',
          tokenHash: HASH,
          scopes: ['user:alice', 'audit:*'],
          label: 'laptop',
          expiresAt: '2026-01-01T00:00:00.000Z',
        },
      },
    ]);
  });

  it.each([
    { input: 'a malformed scope', command: issue({ scopes: ['user:alice', 'root'] }), field: 'scopes[1]' },
    { input: 'an empty label', command: issue({ label: ' ' }), field: 'label' },
    { input: 'an overlong label', command: issue({ label: 'x'.repeat(101) }), field: 'label' },
    { input: 'an expiry in the past', command: issue({ expiresAt: '2025-02-01T00:00:00Z' }), field: 'expiresAt' },
    { input: 'an unreadable expiry', command: issue({ expiresAt: 'soon' }), field: 'expiresAt' },
  ])('refuses $input, naming the field', ({ command, field }) => {
    const decide = given([]).when(command);
    expect(decide).toThrow(InvalidInput);
    try {
      decide();
    } catch (error) {
      expect((error as InvalidInput).errors?.map((e) => e.field)).toEqual([field]);
    }
  });

  it('issues nothing twice for the same token id', () => {
    expect(given([issued()]).when(issue())()).toEqual([]);
  });

  it('revokes a token the user has', () => {
    expect(given([issued()]).when({ type: 'RevokeApiToken', tokenId: 't1' })()).toEqual([revoked()]);
  });

  it('revokes an already revoked token as a no-op', () => {
    expect(given([issued(), revoked()]).when({ type: 'RevokeApiToken', tokenId: 't1' })()).toEqual([]);
  });

  it.each(['t2', 'constructor', '__proto__'])('refuses to revoke the unknown token %p', (tokenId) => {
    expect(given([issued()]).when({ type: 'RevokeApiToken', tokenId })).toThrow(NotFound);
  });

  it('ignores other events of the user stream', () => {
    const other = { type: 'UserFollowed', data: { followeeId: 'bob' } } as unknown as ApiTokenEvent;
    expect(given([other, issued()]).when({ type: 'RevokeApiToken', tokenId: 't1' })()).toEqual([revoked()]);
  });
});
