import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Forbidden } from '@herald/core';
import { grants, scopes } from '../domain/scopes';
import type { AuthenticatedRequest, Caller } from './caller';

/**
 * The caller's own user id, for routes that act on it (`/me/…`): they need a personal token holding
 * `user:<id>`; the operator token has no user.
 */
export function ownUserId(caller: Caller | undefined): string {
  if (!caller?.userId) {
    throw new Forbidden(
      "This route acts on the caller's own user, and the operator token has no user: call it with a personal token (POST /api/v1/users/{userId}/tokens issues one).",
      { code: 'AUTH.NO_USER' },
    );
  }
  if (!grants(caller.scopes, scopes.user(caller.userId))) throw new Forbidden(`This requires the scope ${scopes.user(caller.userId)}.`);
  return caller.userId;
}

/** `ownUserId` of the request's caller, as a route parameter. */
export const OwnUserId = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  ownUserId(context.switchToHttp().getRequest<AuthenticatedRequest>().caller),
);
