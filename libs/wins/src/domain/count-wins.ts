import { type CountingMode, normalizeClanTag } from './ids';
import type { Difficulty, ModeKey, PlayerProfile, PlayerSession } from './openfront';

/**
 * The counting rules of issue 3. Only public games count, in every mode (ranked public games
 * included). Upstream data is loose, so a malformed value counts as nothing rather than failing.
 */

const TOTAL_MODES: readonly ModeKey[] = ['Free For All', 'Team'];
/** Known difficulties only: a future summary key beside them (like `recent`) must not be added twice. */
const DIFFICULTIES: readonly Difficulty[] = ['Easy', 'Medium', 'Hard', 'Impossible'];
const DECIMAL = /^\d+$/;
const USERNAME_TAG_PREFIX = /^\[([A-Za-z0-9]{2,5})\]/;

/** `total`: public Free For All and Team wins over every difficulty; Humans Vs Nations is not counted. */
export function countTotalWins(profile: PlayerProfile): number {
  const publicStats = asRecord(asRecord(profile?.stats)?.Public);
  let wins = 0;
  for (const mode of TOTAL_MODES) {
    const byDifficulty = asRecord(publicStats?.[mode]);
    for (const difficulty of DIFFICULTIES) {
      wins += decimalCount(asRecord(byDifficulty?.[difficulty])?.wins);
    }
  }
  return wins;
}

/**
 * The clan tag a session was played under: its `clanTag` upper-cased when non-empty, else a
 * `[TAG]` (2–5 letters or digits) that opens the username, upper-cased. "Opens" is literal: a
 * name with leading spaces or text before the bracket has no tag, so only the form OpenFront
 * itself produced (`[ABC]Name`, `[ABC] Name`) is read. A null username is an empty name.
 */
export function sessionTag(session: PlayerSession): string | null {
  const clanTag = typeof session.clanTag === 'string' ? session.clanTag.trim() : '';
  if (clanTag !== '') return clanTag.toUpperCase();
  const username = typeof session.username === 'string' ? session.username : '';
  const prefix = USERNAME_TAG_PREFIX.exec(username);
  return prefix ? prefix[1].toUpperCase() : null;
}

/**
 * `sessions_since_link`: public wins whose game started at or after `linkedAt` (compared as
 * instants). A session without a readable `gameStart` is dated by `gameEnd`; without either it is skipped.
 */
export function countWinsSinceLink(sessions: Iterable<PlayerSession>, linkedAt: string): number {
  const since = Date.parse(linkedAt);
  if (Number.isNaN(since)) throw new RangeError(`linkedAt is not a time: ${linkedAt}`);
  let wins = 0;
  for (const session of sessions) {
    if (!isPublicWin(session)) continue;
    const playedAt = instant(session.gameStart) ?? instant(session.gameEnd);
    if (playedAt !== null && playedAt >= since) wins++;
  }
  return wins;
}

/** `sessions_with_clan`: public wins played under one of the guild's tags (any case); no tags, no wins. */
export function countClanWins(sessions: Iterable<PlayerSession>, tags: Iterable<string>): number {
  const wanted = new Set<string>();
  for (const tag of tags) {
    const normalized = normalizeClanTag(tag);
    if (normalized !== null) wanted.add(normalized);
  }
  if (wanted.size === 0) return 0;
  let wins = 0;
  for (const session of sessions) {
    if (!isPublicWin(session)) continue;
    const tag = sessionTag(session);
    if (tag !== null && wanted.has(tag)) wins++;
  }
  return wins;
}

export interface WinCountInput {
  /** Needed by `total`. */
  profile?: PlayerProfile;
  /** Every session of the player, all pages; needed by the session modes. */
  sessions?: Iterable<PlayerSession>;
  /** ISO-8601 time of the member's link. */
  linkedAt: string;
  /** The guild's stored clan tags. */
  clanTags: Iterable<string>;
}

/** A member's wins under the guild's counting mode. Throws when the upstream data that mode needs was not given. */
export function countWins(mode: CountingMode, input: WinCountInput): number {
  switch (mode) {
    case 'total':
      if (input.profile === undefined) throw new Error('counting mode total needs the player profile');
      return countTotalWins(input.profile);
    case 'sessions_since_link':
      return countWinsSinceLink(requireSessions(mode, input), input.linkedAt);
    case 'sessions_with_clan':
      return countClanWins(requireSessions(mode, input), input.clanTags);
    default: {
      const unknown: never = mode;
      throw new Error(`unknown counting mode ${String(unknown)}`);
    }
  }
}

/** The player's most recent non-empty in-game name (by `gameEnd`, else `gameStart`); undated sessions come last. */
export function latestUsername(sessions: Iterable<PlayerSession>): string | null {
  let latest: { username: string; at: number } | null = null;
  for (const session of sessions) {
    if (typeof session.username !== 'string' || session.username.trim() === '') continue;
    const at = instant(session.gameEnd) ?? instant(session.gameStart) ?? Number.NEGATIVE_INFINITY;
    if (latest === null || at > latest.at) latest = { username: session.username, at };
  }
  return latest?.username ?? null;
}

function isPublicWin(session: PlayerSession): boolean {
  return session.gameType === 'Public' && session.hasWon === true;
}

function instant(value: string | null | undefined): number | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

/** A counter as OpenFront writes it; anything else, or a number too large to be real, counts 0. */
function decimalCount(value: unknown): number {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return 0;
  const count = Number(value);
  return Number.isSafeInteger(count) ? count : 0;
}

function requireSessions(mode: CountingMode, input: WinCountInput): Iterable<PlayerSession> {
  if (input.sessions === undefined) throw new Error(`counting mode ${mode} needs the player's sessions`);
  return input.sessions;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
