import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type CommandContext, newCorrelationId } from '@herald/core';
import type { WebSessionProfile } from '../domain/web-session';

/** The web console session a request came with (its cookie), as the console may see it. */
export interface BrowserSession extends WebSessionProfile {
  expiresAt: string | null;
  /** What the console sends as `X-CSRF-Token` on writes. */
  csrfToken: string;
}

/** Who sent an authenticated request. The operator token has no user. */
export interface Caller {
  userId?: string;
  scopes: string[];
  tokenId?: string;
  /** Set when the request was authenticated by the console's session cookie rather than a bearer token. */
  browserSession?: BrowserSession;
}

/** What the auth guard leaves on the request. */
export interface AuthenticatedRequest extends Request {
  caller?: Caller;
}

/** The caller the auth guard authenticated (undefined on `@Public()` routes). */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Caller | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().caller,
);

export const OPERATOR_ACTOR_ID = 'operator';

/** The context of a command run for a REST request: its caller and its correlation id. */
export function restCommandContext(request: AuthenticatedRequest, caller: Caller | undefined): CommandContext {
  return {
    source: 'rest',
    actorId: caller?.userId ?? OPERATOR_ACTOR_ID,
    correlationId: correlationIdOf(request),
  };
}

/** The request's correlation id, as `requestLogging` assigned it (a new one without it). */
export function correlationIdOf(request: Request): string {
  const id = (request as { id?: unknown }).id;
  return typeof id === 'string' ? id : newCorrelationId();
}
