import { buildMessage, Matches, ValidateBy, type ValidationOptions } from 'class-validator';

/** `<field> <rule>`, or `each value in <field> <rule>` for `{ each: true }`; the caller's own message wins. */
function withRuleMessage(rule: string, options: ValidationOptions): ValidationOptions {
  return { message: buildMessage((eachPrefix) => `${eachPrefix}$property ${rule}`, options), ...options };
}

/** A Discord snowflake (guild, user or role id): 17–20 digits. */
export const SNOWFLAKE_PATTERN = /^\d{17,20}$/;
export const SNOWFLAKE_RULE = 'must be a Discord id of 17-20 digits';

export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && SNOWFLAKE_PATTERN.test(value);
}

/** class-validator rule for a snowflake field; pass `{ each: true }` for an array of them. */
export const IsSnowflake = (options: ValidationOptions = {}): PropertyDecorator =>
  Matches(SNOWFLAKE_PATTERN, withRuleMessage(SNOWFLAKE_RULE, options));

/**
 * An OpenFront player id as Herald stores it: 1–64 URL-safe characters, so it can sit in an
 * upstream path without escaping. Public ids are 8 characters; the bound leaves room for change.
 */
export const PLAYER_ID_PATTERN = /^[A-Za-z0-9_.~-]{1,64}$/;
export const PLAYER_ID_RULE = 'must be 1-64 letters, digits, _ . ~ or -';

export function isPlayerId(value: unknown): value is string {
  return typeof value === 'string' && PLAYER_ID_PATTERN.test(value);
}

export const IsPlayerId = (options: ValidationOptions = {}): PropertyDecorator =>
  Matches(PLAYER_ID_PATTERN, withRuleMessage(PLAYER_ID_RULE, options));

const CLAN_TAG_PATTERN = /^[A-Za-z0-9]{2,5}$/;
export const CLAN_TAG_RULE = 'must be 2-5 letters or digits';

/** The stored form of a clan tag (upper-case, as OpenFront's clan endpoints return it), or null when invalid. */
export function normalizeClanTag(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const tag = raw.trim();
  return CLAN_TAG_PATTERN.test(tag) ? tag.toUpperCase() : null;
}

/** class-validator rule for a clan tag as typed by a person: any case, surrounding spaces allowed. */
export const IsClanTag = (options: ValidationOptions = {}): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isClanTag',
      validator: {
        validate: (value: unknown) => normalizeClanTag(value) !== null,
      },
    },
    withRuleMessage(CLAN_TAG_RULE, options),
  );

export const MIN_THRESHOLD_WINS = 0;
export const MAX_THRESHOLD_WINS = 1_000_000;
export const THRESHOLD_WINS_RULE = `must be an integer from ${MIN_THRESHOLD_WINS} to ${MAX_THRESHOLD_WINS}`;

export function isThresholdWins(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= MIN_THRESHOLD_WINS && (value as number) <= MAX_THRESHOLD_WINS;
}

/** How a guild counts its members' wins (issue 3, counting rules). */
export const COUNTING_MODES = ['total', 'sessions_since_link', 'sessions_with_clan'] as const;
export type CountingMode = (typeof COUNTING_MODES)[number];
export const DEFAULT_COUNTING_MODE: CountingMode = 'sessions_with_clan';
export const COUNTING_MODE_RULE = `must be one of ${COUNTING_MODES.join(', ')}`;

export function isCountingMode(value: unknown): value is CountingMode {
  return (COUNTING_MODES as readonly unknown[]).includes(value);
}

export const MIN_SYNC_INTERVAL_HOURS = 1;
export const MAX_SYNC_INTERVAL_HOURS = 24;
export const DEFAULT_SYNC_INTERVAL_HOURS = 24;
export const SYNC_INTERVAL_RULE = `must be an integer from ${MIN_SYNC_INTERVAL_HOURS} to ${MAX_SYNC_INTERVAL_HOURS}`;

export function isSyncIntervalHours(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= MIN_SYNC_INTERVAL_HOURS && (value as number) <= MAX_SYNC_INTERVAL_HOURS
  );
}
