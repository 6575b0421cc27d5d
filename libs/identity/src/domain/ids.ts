import { Matches } from 'class-validator';

/**
 * A Herald user id: 1–64 letters, digits, `_` or `-`. Discord snowflakes (all digits) fit, and so
 * do ids from other platforms. It is safe inside stream names and scopes.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A Discord guild id: a snowflake, 1–20 digits. */
export const GUILD_ID_PATTERN = /^\d{1,20}$/;

/** What a valid user id looks like, for error messages: `userId ${USER_ID_RULE}`. */
export const USER_ID_RULE = 'must be 1-64 letters, digits, _ or -';
export const GUILD_ID_RULE = 'must be a Discord id of 1-20 digits';

export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID_PATTERN.test(value);
}

export function isGuildId(value: unknown): value is string {
  return typeof value === 'string' && GUILD_ID_PATTERN.test(value);
}

/** class-validator rule for DTO fields holding a user id. */
export const IsUserId = (): PropertyDecorator =>
  Matches(USER_ID_PATTERN, { message: `$property ${USER_ID_RULE}` });

/** class-validator rule for DTO fields holding a guild id. */
export const IsGuildId = (): PropertyDecorator =>
  Matches(GUILD_ID_PATTERN, { message: `$property ${GUILD_ID_RULE}` });
