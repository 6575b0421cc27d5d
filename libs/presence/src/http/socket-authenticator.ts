import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { API_TOKEN_PREFIX, ApiTokensReadModel, cookieOf, grants, hashApiToken, scopes, SESSION_COOKIE } from '@herald/identity';

/** Close codes of the presence socket (4000-4999 belong to applications), with the HTTP status they echo. */
export const SOCKET_CLOSE = {
  /** No token, a malformed one, or one unknown, revoked or expired. */
  unauthenticated: 4401,
  /** A valid token that acts for no user (the operator's), or lacks the user's scope. */
  forbidden: 4403,
  /** The socket did not read its messages fast enough. */
  tooSlow: 1013,
  /** Herald is shutting down. */
  goingAway: 1001,
} as const;

/** `hrld_` and 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

export type SocketAuthentication =
  | { ok: true; userId: string; tokenHash: string }
  | { ok: false; code: number; reason: string };

/**
 * Authenticates a presence socket with a personal API token or a console session (itself a
 * personal token), by the same hash lookup as the REST guard. The operator token is refused: a
 * socket carries one user's followed presence, and the operator is nobody's. Reasons are short (a
 * close frame holds 123 bytes) and never quote the token.
 */
@Injectable()
export class SocketAuthenticator {
  private readonly operatorTokenHash: Buffer | null;
  private readonly publicOrigin: string;

  constructor(
    private readonly tokens: ApiTokensReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    this.operatorTokenHash = config.adminToken ? Buffer.from(hashApiToken(config.adminToken), 'hex') : null;
    this.publicOrigin = new URL(config.publicUrl).origin;
  }

  /**
   * Authenticates an upgrade by its token (`?token=`, else `Authorization: Bearer`), else by the web
   * console's session cookie. A cookie goes with every request the browser makes, whichever page
   * asked for it, so a cookie socket is accepted only from Herald's own pages: its `Origin` must be
   * Herald's (the Host it was asked for, or HERALD_PUBLIC_URL).
   */
  async authenticateUpgrade(request: IncomingMessage, url: URL): Promise<SocketAuthentication> {
    const token = url.searchParams.get('token') || /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token) return this.authenticate(token);
    const sessionToken = cookieOf(request, SESSION_COOKIE);
    if (sessionToken === undefined) return this.authenticate(undefined);
    if (!this.isOwnOrigin(request)) return refuse(SOCKET_CLOSE.forbidden, "a console session is accepted only from Herald's own pages (Origin)");
    return this.authenticate(sessionToken);
  }

  private async authenticate(token: string | undefined): Promise<SocketAuthentication> {
    if (!token) return refuse(SOCKET_CLOSE.unauthenticated, 'a token is required: /ws?token=<personal API token>, or a console session');
    const tokenHash = hashApiToken(token);
    if (this.operatorTokenHash !== null && timingSafeEqual(Buffer.from(tokenHash, 'hex'), this.operatorTokenHash)) {
      return refuse(SOCKET_CLOSE.forbidden, 'the operator token has no user: use a personal API token');
    }
    if (!TOKEN_SHAPE.test(token)) return refuse(SOCKET_CLOSE.unauthenticated, 'malformed token: expected a personal API token (hrld_...)');
    return this.check(tokenHash);
  }

  /** Whether the token behind an open socket still holds (not revoked, not expired since). */
  async check(tokenHash: string): Promise<SocketAuthentication> {
    const found = await this.tokens.findByHash(tokenHash);
    const expired = found?.expiresAt != null && Date.parse(found.expiresAt) <= this.clock.now().getTime();
    if (found === null || found.revoked || expired) return refuse(SOCKET_CLOSE.unauthenticated, 'the token is unknown, revoked or expired');
    if (!grants(found.scopes, scopes.user(found.userId))) {
      return refuse(SOCKET_CLOSE.forbidden, `the token lacks the scope user:${found.userId}`);
    }
    return { ok: true, userId: found.userId, tokenHash };
  }

  private isOwnOrigin(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    if (origin === this.publicOrigin) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }
}

function refuse(code: number, reason: string): SocketAuthentication {
  return { ok: false, code, reason };
}
