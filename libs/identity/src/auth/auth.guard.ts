import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import {
  CLOCK,
  type Clock,
  Forbidden,
  HERALD_CONFIG,
  type HeraldConfig,
  PUBLIC_ROUTE,
  Unauthenticated,
} from '@herald/core';
import { hashApiToken } from '../domain/api-token';
import { fillScopeTemplate, grants, OPERATOR_SCOPE } from '../domain/scopes';
import { CSRF_HEADER, csrfTokenFor, isCsrfTokenOf, isSafeMethod, SESSION_COOKIE } from '../domain/web-session';
import type { ApiTokenDocument } from '../projections/api-tokens.read-model';
import { ApiTokensReadModel } from '../projections/api-tokens.read-model';
import { REQUIRED_SCOPES } from './auth.decorators';
import type { AuthenticatedRequest, Caller } from './caller';
import { cookieOf } from './cookies';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export const CSRF_REQUIRED = 'A CSRF token is required for this write (X-CSRF-Token).';
const TOKEN_REFUSED = 'The token is unknown, revoked or expired.';
const SESSION_REFUSED = 'The console session is unknown, revoked or expired: sign in again.';

/**
 * REST authentication and authorisation, meant as the global guard. `Authorization: Bearer <token>`
 * is the operator token (HERALD_ADMIN_TOKEN) or a personal token found by its hash in `api_tokens`;
 * without one, the web console's session cookie (a personal token issued as a session), whose
 * writes must carry the session's CSRF token. Unknown, revoked or expired: 401. Valid without a
 * required scope, or a cookie write without its CSRF token: 403. Other transports (WebSocket,
 * Discord) authenticate their own way, so the guard lets them through.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly operatorTokenHash: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensReadModel,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.operatorTokenHash = config.adminToken ? Buffer.from(hashApiToken(config.adminToken), 'hex') : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = await this.authenticate(request);
    request.caller = caller;

    const templates = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    if (templates.length === 0) return true;
    const required = templates.map((template) => fillScopeTemplate(template, routeParams(request)));
    if (required.some((scope) => grants(caller.scopes, scope))) return true;
    throw new Forbidden(`This requires one of the scopes: ${required.join(', ')}.`);
  }

  /** A bearer token wins over the cookie: it is no ambient credential, so it needs no CSRF token. */
  private async authenticate(request: AuthenticatedRequest): Promise<Caller> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) return this.bearerCaller(BEARER.exec(authorization)?.[1]);
    const sessionToken = cookieOf(request, SESSION_COOKIE);
    if (sessionToken === undefined) throw new Unauthenticated('A bearer token is required.');
    return this.sessionCaller(sessionToken, request);
  }

  private async bearerCaller(token: string | undefined): Promise<Caller> {
    if (token === undefined) throw new Unauthenticated('A bearer token is required.');
    const tokenHash = hashApiToken(token);
    if (this.isOperatorToken(tokenHash)) return { scopes: [OPERATOR_SCOPE] };
    const found = await this.validToken(tokenHash, TOKEN_REFUSED);
    return { userId: found.userId, scopes: found.scopes, tokenId: found.tokenId };
  }

  /** Only a token issued as a web session is accepted from the cookie. */
  private async sessionCaller(sessionToken: string, request: AuthenticatedRequest): Promise<Caller> {
    const found = await this.validToken(hashApiToken(sessionToken), SESSION_REFUSED);
    if (!found.session) throw new Unauthenticated(SESSION_REFUSED);
    if (!isSafeMethod(request.method) && !isCsrfTokenOf(sessionToken, csrfHeaderOf(request))) {
      throw new Forbidden(CSRF_REQUIRED, { code: 'AUTH.CSRF_REQUIRED' });
    }
    return {
      userId: found.userId,
      scopes: found.scopes,
      tokenId: found.tokenId,
      browserSession: { ...found.session, expiresAt: found.expiresAt, csrfToken: csrfTokenFor(sessionToken) },
    };
  }

  private async validToken(tokenHash: string, refusal: string): Promise<ApiTokenDocument> {
    const found = await this.tokens.findByHash(tokenHash);
    const expired = found?.expiresAt != null && Date.parse(found.expiresAt) <= this.clock.now().getTime();
    if (found === null || found.revoked || expired) {
      // One answer for all three, so a caller learns nothing about a token it does not own.
      throw new Unauthenticated(refusal);
    }
    return found;
  }

  /** Compares digests of equal length in constant time, so timing reveals nothing of the operator token. */
  private isOperatorToken(tokenHash: string): boolean {
    return this.operatorTokenHash !== null && timingSafeEqual(Buffer.from(tokenHash, 'hex'), this.operatorTokenHash);
  }
}

function csrfHeaderOf(request: AuthenticatedRequest): string | undefined {
  const value = request.headers[CSRF_HEADER];
  return typeof value === 'string' ? value : undefined;
}

function routeParams(request: AuthenticatedRequest): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.params ?? {})) {
    if (typeof value === 'string') params[name] = value;
  }
  return params;
}
