import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandContext } from '@herald/core';
import { type AuthenticatedRequest, restCommandContext } from '@herald/identity';

/** The command context of a REST request: who called (as the auth guard found) and the request's correlation id. */
export const RestContext = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  return restCommandContext(request, request.caller);
});
