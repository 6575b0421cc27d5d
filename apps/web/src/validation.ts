/**
 * The API's input rules, checked before a form is sent so people see a mistake at once. Field
 * names and messages are the API's own (test/validation-parity.spec.ts holds them to the
 * server's rules), so a message reads the same whether the browser or Herald found it.
 */

/** Messages by field name, as `errors[]` of a problem+json answer. */
export type FieldErrors = Record<string, string[]>;

export const PRESENCE_STATUSES = ['online', 'away', 'dnd', 'in_studio', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];
export const MAX_STATUS_MESSAGE_LENGTH = 255;
export const MAX_DAW_LENGTH = 64;

export const COUNTING_MODES = ['total', 'sessions_since_link', 'sessions_with_clan'] as const;
export type CountingMode = (typeof COUNTING_MODES)[number];
export const MIN_SYNC_INTERVAL_HOURS = 1;
export const MAX_SYNC_INTERVAL_HOURS = 24;
export const MIN_THRESHOLD_WINS = 0;
export const MAX_THRESHOLD_WINS = 1_000_000;

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SNOWFLAKE = /^\d{17,20}$/;
const CLAN_TAG = /^[A-Za-z0-9]{2,5}$/;
const BASE64_OF_48_BYTES = /^[A-Za-z0-9+/]{64}$/;
const PLURALKIT_API_KEY = /^pkapi:[A-Za-z0-9+/_-]+={0,2}:[A-Za-z0-9_-]+$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{1,63}$/;
const MAX_AUDIT_TYPES = 20;
const PLUGIN_SETTING = /^[\x21-\x7E](?:[\x20-\x7E]{0,1022}[\x21-\x7E])?$/;

export const RULES = {
  status: `must be one of ${PRESENCE_STATUSES.join(', ')}`,
  statusMessage: `must be at most ${MAX_STATUS_MESSAGE_LENGTH} characters`,
  daw: `must be at most ${MAX_DAW_LENGTH} characters`,
  userId: 'must be 1-64 letters, digits, _ or -',
  snowflake: 'must be a Discord id of 17-20 digits',
  clanTag: 'must be 2-5 letters or digits',
  thresholdWins: `must be an integer from ${MIN_THRESHOLD_WINS} to ${MAX_THRESHOLD_WINS}`,
  countingMode: `must be one of ${COUNTING_MODES.join(', ')}`,
  syncInterval: `must be an integer from ${MIN_SYNC_INTERVAL_HOURS} to ${MAX_SYNC_INTERVAL_HOURS}`,
  simplyPluralToken:
    "must be a SimplyPlural API token: 64 letters, digits, + or / (create one in SimplyPlural's account settings, with read permission)",
  pluralKitToken: 'must be a PluralKit token: the 64 characters that pk;token sends you, or an API key starting with pkapi:',
  pluginSetting: 'must be 1-1024 printable ASCII characters without leading or trailing spaces, or null to remove it',
} as const;

/** Characters as people count them (code points: an emoji counts once), as the API counts them. */
export function characterCount(text: string): number {
  return [...text].length;
}

/**
 * Whole numbers typed in a form: digits only, so "1e3", "2.5" and "" are refused as the API refuses
 * them. A number input's v-model may hold a number already.
 */
export function parseWholeNumber(typed: string | number): number | null {
  const trimmed = String(typed).trim();
  return /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : null;
}

/** Collects field errors; the first failed rule of a field is enough to show. */
class Checks {
  readonly errors: FieldErrors = {};

  require(ok: boolean, field: string, message: string): this {
    if (!ok) (this.errors[field] ??= []).push(message);
    return this;
  }
}

export function presenceErrors(input: { status: string; message: string | null; daw: string | null }): FieldErrors {
  return new Checks()
    .require((PRESENCE_STATUSES as readonly string[]).includes(input.status), 'status', `status ${RULES.status}`)
    .require(input.message === null || characterCount(input.message) <= MAX_STATUS_MESSAGE_LENGTH, 'message', `message ${RULES.statusMessage}`)
    .require(input.daw === null || characterCount(input.daw) <= MAX_DAW_LENGTH, 'daw', `daw ${RULES.daw}`).errors;
}

export function userIdErrors(userId: string, field = 'userId'): FieldErrors {
  return new Checks().require(USER_ID.test(userId), field, `${field} ${RULES.userId}`).errors;
}

export function isSimplyPluralToken(value: string): boolean {
  return BASE64_OF_48_BYTES.test(value);
}

export function isPluralKitToken(value: string): boolean {
  return BASE64_OF_48_BYTES.test(value) || PLURALKIT_API_KEY.test(value);
}

export interface FrontingChange {
  /** A new token, or null to leave it as it is. */
  simplyPluralToken: string | null;
  pluralKitToken: string | null;
  enableToPluralKit: boolean;
  /** What Herald holds now. */
  simplyPluralTokenSet: boolean;
  pluralKitTokenSet: boolean;
}

/** The token shapes, and the updater's need for both tokens (the decider's rule). */
export function frontingErrors(change: FrontingChange): FieldErrors {
  const { simplyPluralToken: sp, pluralKitToken: pk } = change;
  const checks = new Checks()
    .require(sp === null || isSimplyPluralToken(sp), 'simplyPluralToken', `simplyPluralToken ${RULES.simplyPluralToken}`)
    .require(pk === null || isPluralKitToken(pk), 'pluralKitToken', `pluralKitToken ${RULES.pluralKitToken}`);
  if (pk !== null && isPluralKitToken(pk)) {
    checks.require(pk !== sp, 'pluralKitToken', 'pluralKitToken must differ from simplyPluralToken: the same token was given for both');
  }
  const missing = [
    sp !== null || change.simplyPluralTokenSet ? null : 'simplyPluralToken',
    pk !== null || change.pluralKitTokenSet ? null : 'pluralKitToken',
  ].filter((field) => field !== null);
  checks.require(!change.enableToPluralKit || missing.length === 0, 'enableToPluralKit', `enableToPluralKit needs both tokens: set ${missing.join(' and ')} first`);
  return checks.errors;
}

export function guildSettingsErrors(input: { countingMode: string; syncIntervalHours: number | null }): FieldErrors {
  const hours = input.syncIntervalHours;
  return new Checks()
    .require((COUNTING_MODES as readonly string[]).includes(input.countingMode), 'countingMode', `countingMode ${RULES.countingMode}`)
    .require(
      hours !== null && Number.isInteger(hours) && hours >= MIN_SYNC_INTERVAL_HOURS && hours <= MAX_SYNC_INTERVAL_HOURS,
      'syncIntervalHours',
      `syncIntervalHours ${RULES.syncInterval}`,
    ).errors;
}

export function snowflakeErrors(value: string, field: string): FieldErrors {
  return new Checks().require(SNOWFLAKE.test(value), field, `${field} ${RULES.snowflake}`).errors;
}

export function thresholdErrors(input: { wins: number | null; roleId: string }): FieldErrors {
  const { wins } = input;
  return {
    ...new Checks().require(wins !== null && Number.isInteger(wins) && wins >= MIN_THRESHOLD_WINS && wins <= MAX_THRESHOLD_WINS, 'wins', `wins ${RULES.thresholdWins}`).errors,
    ...snowflakeErrors(input.roleId, 'roleId'),
  };
}

export function clanTagErrors(tag: string): FieldErrors {
  return new Checks().require(CLAN_TAG.test(tag.trim()), 'tag', `tag ${RULES.clanTag}`).errors;
}

/**
 * The audit filter: event types for the API (`type`), a member id the console filters on, and the
 * `datetime-local` value the API's `until` is made of (empty: up to now).
 */
export function auditFilterErrors(input: { types: string[]; member: string; until?: string }): FieldErrors {
  const until = input.until ?? '';
  return new Checks()
    .require(input.types.length <= MAX_AUDIT_TYPES, 'type', `type must name at most ${MAX_AUDIT_TYPES} event types`)
    .require(input.types.every((type) => EVENT_TYPE.test(type)), 'type', 'type must list event names such as WinsSynced, comma-separated')
    .require(input.member === '' || SNOWFLAKE.test(input.member), 'member', `member ${RULES.snowflake}`)
    .require(until === '' || !Number.isNaN(new Date(until).getTime()), 'until', 'until must be a date and time').errors;
}

/** A plugin's settings as the operator typed them; empty fields are left out before this check. */
export function pluginSettingErrors(values: Record<string, string>): FieldErrors {
  const checks = new Checks().require(Object.keys(values).length > 0, 'values', 'values must name at least one setting');
  for (const [id, value] of Object.entries(values)) checks.require(PLUGIN_SETTING.test(value), `values.${id}`, `values.${id} ${RULES.pluginSetting}`);
  return checks.errors;
}

const MAX_OPERATOR_TOKEN_LENGTH = 1024;

/** The sign-in DTO's rule (`@Length(1, 1024)`), in class-validator's words. */
export function operatorTokenErrors(token: string): FieldErrors {
  return new Checks()
    .require(token.length >= 1, 'token', 'token must be longer than or equal to 1 characters')
    .require(token.length <= MAX_OPERATOR_TOKEN_LENGTH, 'token', `token must be shorter than or equal to ${MAX_OPERATOR_TOKEN_LENGTH} characters`).errors;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}
