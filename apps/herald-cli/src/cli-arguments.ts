import { InvalidArgumentError } from 'commander';
import { GUILD_ID_RULE, USER_ID_RULE, isGuildId, isUserId } from '@herald/identity';

/** Argument parsers: a bad value stops the command with a message naming the option, before any store is opened. */

export const guildId = (option: string) => (value: string) => {
  if (!isGuildId(value)) throw new InvalidArgumentError(`${option} ${GUILD_ID_RULE}`);
  return value;
};

export const userId = (option: string) => (value: string) => {
  if (!isUserId(value)) throw new InvalidArgumentError(`${option} ${USER_ID_RULE}`);
  return value;
};

export const isoTime = (option: string) => (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(`${option} must be an ISO-8601 time such as 2026-03-01T12:00:00Z`);
  }
  return new Date(value).toISOString();
};

export const wholeNumber = (option: string, min: number, max: number) => (value: string) => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`${option} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
};
