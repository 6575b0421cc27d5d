import { InvalidInput } from '@herald/core';
import { GUILD_ID_PATTERN, USER_ID_PATTERN } from './ids';

/**
 * What a token may do:
 * `operator` (everything), `user:<userId>`, `guild:<guildId>:admin`, `audit:<guildId>`, `audit:*`.
 */
export type ScopeName = string;

export const OPERATOR_SCOPE = 'operator';

export const scopes = {
  operator: (): ScopeName => OPERATOR_SCOPE,
  user: (userId: string): ScopeName => `user:${userId}`,
  guildAdmin: (guildId: string): ScopeName => `guild:${guildId}:admin`,
  audit: (guildId: string | '*'): ScopeName => `audit:${guildId}`,
} as const;

const userId = USER_ID_PATTERN.source.slice(1, -1);
const guildId = GUILD_ID_PATTERN.source.slice(1, -1);

/** Every well-formed scope, and nothing else. */
export const SCOPE_PATTERN = new RegExp(`^(?:operator|user:${userId}|guild:${guildId}:admin|audit:(?:\\*|${guildId}))$`);

export const SCOPE_RULE = 'must be operator, user:<id>, guild:<guildId>:admin, audit:<guildId> or audit:*';

export function isValidScope(scope: string): boolean {
  return SCOPE_PATTERN.test(scope);
}

/** Whether holding `held` allows what `required` protects. */
export function grants(held: readonly ScopeName[], required: ScopeName): boolean {
  return held.some(
    (scope) =>
      scope === OPERATOR_SCOPE ||
      scope === required ||
      (scope === 'audit:*' && required.startsWith('audit:')),
  );
}

const SCOPE_PARAMETER = /^[A-Za-z0-9_-]{1,64}$/;

/** The requested scopes that `held` does not grant: a token never grants more than its issuer holds. */
export function scopesBeyond(held: readonly ScopeName[], requested: readonly ScopeName[]): ScopeName[] {
  return requested.filter((scope) => !grants(held, scope));
}

/**
 * Fills a scope template such as `guild:{guildId}:admin` from route parameters. A parameter that
 * could not appear in a valid scope is invalid input (so nothing can be smuggled into a scope); a
 * parameter the route does not have is a bug in the route.
 */
export function fillScopeTemplate(template: string, params: Record<string, string | undefined>): ScopeName {
  return template.replace(/\{(\w+)\}/g, (_placeholder, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`scope template ${template} names a missing route parameter`);
    if (!SCOPE_PARAMETER.test(value)) {
      throw new InvalidInput(`Invalid field: ${name}.`, {
        errors: [{ field: name, messages: [`${name} must be 1-64 letters, digits, _ or -`] }],
      });
    }
    return value;
  });
}
