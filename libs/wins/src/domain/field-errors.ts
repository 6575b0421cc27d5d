import { type FieldError, InvalidInput } from '@herald/core';

/** A field that breaks one of the edge rules, e.g. `wins must be an integer from 0 to 1000000`. */
export function ruleError(field: string, rule: string): FieldError {
  return { field, messages: [`${field} ${rule}`] };
}

export function invalidInput(errors: FieldError[]): InvalidInput {
  return new InvalidInput(`Invalid fields: ${errors.map((error) => error.field).join(', ')}.`, { errors });
}

export function rejectIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw invalidInput(errors);
}

/**
 * A time a command carries, as ISO-8601 UTC. Herald computes these times itself (clock, engine),
 * so an unreadable one is a bug, not bad input.
 */
export function isoTime(value: string, name: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`${name} is not a time: ${value}`);
  return new Date(time).toISOString();
}
