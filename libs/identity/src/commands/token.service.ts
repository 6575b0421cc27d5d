import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type CommandContext, CommandRunner, Forbidden, InvalidInput, streams } from '@herald/core';
import { generateApiToken, hashApiToken } from '../domain/api-token';
import { apiTokensDecider } from '../domain/api-tokens.decider';
import { isUserId, USER_ID_RULE } from '../domain/ids';
import { scopes as scopeNames, scopesBeyond } from '../domain/scopes';
import type { WebSessionProfile } from '../domain/web-session';

export interface IssueTokenRequest {
  userId: string;
  /** Default: `user:<userId>`. */
  scopes?: string[];
  label?: string;
  expiresAt?: Date;
  /**
   * The scopes of whoever asks for the token, when it is not the operator: the token may not grant
   * more than they hold (403 otherwise).
   */
  issuerScopes?: string[];
  /** Makes the token a web console session with this profile. */
  session?: WebSessionProfile;
  context: CommandContext;
}

export interface IssuedToken {
  tokenId: string;
  /** The token itself: hand it to the user once; Herald keeps only its hash. */
  token: string;
}

export interface RevokeTokenRequest {
  userId: string;
  tokenId: string;
  context: CommandContext;
}

/** Issues and revokes personal API tokens (events on the user's stream). */
@Injectable()
export class TokenService {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(request: IssueTokenRequest): Promise<IssuedToken> {
    assertUserId(request.userId);
    const token = generateApiToken();
    const tokenId = randomUUID();
    const scopes = request.scopes?.length ? request.scopes : [scopeNames.user(request.userId)];
    const beyond = request.issuerScopes === undefined ? [] : scopesBeyond(request.issuerScopes, scopes);
    if (beyond.length > 0) {
      throw new Forbidden(`A token cannot grant scopes its issuer lacks: ${beyond.join(', ')}.`);
    }
    await this.commands.run({
      streamId: streams.user(request.userId),
      decider: apiTokensDecider,
      command: {
        type: 'IssueApiToken',
        tokenId,
        tokenHash: hashApiToken(token),
        scopes,
        label: request.label,
        expiresAt: request.expiresAt?.toISOString(),
        session: request.session,
        requestedAt: this.clock.now().toISOString(),
      },
      context: { ...request.context, userId: request.userId },
    });
    return { tokenId, token };
  }

  /** Throws `NotFound` for a token the user never had; revoking twice is a no-op. */
  async revoke(request: RevokeTokenRequest): Promise<void> {
    assertUserId(request.userId);
    await this.commands.run({
      streamId: streams.user(request.userId),
      decider: apiTokensDecider,
      command: { type: 'RevokeApiToken', tokenId: request.tokenId },
      context: { ...request.context, userId: request.userId },
    });
  }
}

function assertUserId(userId: string): void {
  if (!isUserId(userId)) {
    throw new InvalidInput('Invalid field: userId.', {
      errors: [{ field: 'userId', messages: [`userId ${USER_ID_RULE}`] }],
    });
  }
}
