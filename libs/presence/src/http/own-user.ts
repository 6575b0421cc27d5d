import { Forbidden } from '@herald/core';
import { type Caller, grants, scopes } from '@herald/identity';

/** `/me` and presence routes act for the caller's own user: a personal token holding that user's scope. */
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
