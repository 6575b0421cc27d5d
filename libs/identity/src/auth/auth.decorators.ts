import { SetMetadata } from '@nestjs/common';
import { isValidScope } from '../domain/scopes';

/** `@Public()` is core's, re-exported here beside the other route decorators. */
export { Public, PUBLIC_ROUTE } from '@herald/core';

export const REQUIRED_SCOPES = 'herald:required-scopes';

/**
 * The caller needs one of these scopes. `{name}` is filled from the route parameter of that name:
 * `@RequireScopes('audit:{guildId}', 'guild:{guildId}:admin')`. Without this decorator (and without
 * `@Public()`) a route only needs a valid token.
 */
export const RequireScopes = (...templates: string[]): MethodDecorator & ClassDecorator => {
  for (const template of templates) {
    // Caught at start-up rather than as a route that nobody can ever call.
    if (!isValidScope(template.replace(/\{\w+\}/g, '1'))) throw new Error(`invalid scope template ${template}`);
  }
  return SetMetadata(REQUIRED_SCOPES, templates);
};
