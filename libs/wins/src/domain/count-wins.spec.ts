import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  countClanWins,
  countTotalWins,
  countWins,
  countWinsSinceLink,
  latestUsername,
  sessionTag,
} from './count-wins';
import type { PlayerProfile, PlayerSession } from './openfront';

const FIXTURES = join(__dirname, '../../../../test/fixtures/openfront');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

type SessionsPage = { results: PlayerSession[]; nextCursor: string | null };

const legacySessions = fixture<PlayerSession[]>('player_sessions.json');
const pagedSessions = [
  ...fixture<SessionsPage>('player_sessions_page1.json').results,
  ...fixture<SessionsPage>('player_sessions_page2.json').results,
];
const emptySessions = fixture<SessionsPage>('player_sessions_empty.json').results;

const LINKED = '2026-03-01T12:00:00Z';
const LINKED_LATER = '2026-03-10T00:00:00Z';

const session = (overrides: Partial<PlayerSession> = {}): PlayerSession => ({
  gameId: 'g1',
  gameStart: '2026-03-05T18:02:11.412Z',
  gameEnd: '2026-03-05T18:24:40.087Z',
  gameType: 'Public',
  gameMode: 'Team',
  gameRankedType: 'unranked',
  clientId: 'c1',
  username: 'Falcon',
  clanTag: null,
  hasWon: true,
  ...overrides,
});
const fixtureSession = (gameId: string): PlayerSession => {
  const found = legacySessions.find((s) => s.gameId === gameId);
  if (!found) throw new Error(`no fixture session ${gameId}`);
  return found;
};

it('reads the same 19 games from the legacy array and from the followed pages', () => {
  const ids = (sessions: PlayerSession[]) => sessions.map((s) => s.gameId).sort();
  expect(ids(pagedSessions)).toEqual(ids(legacySessions));
  expect(legacySessions).toHaveLength(19);
});

describe('total wins', () => {
  it.each([
    { file: 'player_info.json', wins: 33 },
    { file: 'player_info_legacy.json', wins: 7 },
    { file: 'player_info_new_player.json', wins: 0 },
  ])('counts $wins public FFA and Team wins in $file', ({ file, wins }) => {
    expect(countTotalWins(fixture<PlayerProfile>(file))).toBe(wins);
  });

  it.each([
    { input: 'a number instead of a decimal string', wins: 5 },
    { input: 'a negative string', wins: '-3' },
    { input: 'a fractional string', wins: '2.5' },
    { input: 'an empty string', wins: '' },
    { input: 'null', wins: null },
    { input: 'a counter beyond any real count', wins: '99999999999999999999' },
  ])('counts $input as 0 wins', ({ wins }) => {
    const profile = { stats: { Public: { Team: { Medium: { wins }, Hard: { wins: '2' } } } } } as unknown as PlayerProfile;
    expect(countTotalWins(profile)).toBe(2);
  });

  it.each([
    { shape: 'no stats', profile: {} },
    { shape: 'null stats', profile: { stats: null } },
    { shape: 'a string where a mode is', profile: { stats: { Public: { Team: 'lots' } } } },
    { shape: 'an array where difficulties are', profile: { stats: { Public: { Team: [{ wins: '4' }] } } } },
  ])('counts 0 wins for a profile with $shape', ({ profile }) => {
    expect(countTotalWins(profile as unknown as PlayerProfile)).toBe(0);
  });

  it('ignores Humans Vs Nations, private, single-player, ranked and unknown buckets', () => {
    const profile = {
      stats: {
        Public: {
          'Humans Vs Nations': { Medium: { wins: '4' } },
          Team: { Medium: { wins: '1' }, all: { wins: '1' } },
          recent: { wins: '9' },
        },
        Private: { Team: { Medium: { wins: '5' } } },
        Singleplayer: { 'Free For All': { Impossible: { wins: '1' } } },
        Ranked: { '1v1': { wins: '6' } },
      },
    } as unknown as PlayerProfile;
    expect(countTotalWins(profile)).toBe(1);
  });
});

describe('session tag', () => {
  it.each([
    { name: 'a clanTag, upper-cased (#7)', overrides: { clanTag: 'xyz' }, tag: 'XYZ' },
    { name: 'a clanTag over a different username prefix (#12)', overrides: { clanTag: 'XYZ', username: '[ABC] Falcon' }, tag: 'XYZ' },
    { name: 'an empty clanTag and a lower-case prefix (#5)', overrides: { clanTag: '', username: '[abc] Falcon' }, tag: 'ABC' },
    { name: 'a null clanTag and a prefix without a space (#6)', overrides: { clanTag: null, username: '[ABC]Falcon' }, tag: 'ABC' },
    { name: 'a blank clanTag and a prefix', overrides: { clanTag: '  ', username: '[ABC] Falcon' }, tag: 'ABC' },
    { name: 'a tag that is not a prefix (#11)', overrides: { clanTag: '', username: 'Falcon [ABC]' }, tag: null },
    { name: 'a prefix after leading spaces', overrides: { username: '  [ABC] Falcon' }, tag: null },
    { name: 'a one-character prefix', overrides: { username: '[A] Falcon' }, tag: null },
    { name: 'a six-character prefix', overrides: { username: '[ABCDEF] Falcon' }, tag: null },
    { name: 'a prefix with a symbol', overrides: { username: '[A-B] Falcon' }, tag: null },
    { name: 'a five-character digit prefix', overrides: { username: '[12345]Falcon' }, tag: '12345' },
    { name: 'a null username and no clanTag (#18)', overrides: { username: null, clanTag: null }, tag: null },
    { name: 'no username or clanTag fields at all', overrides: { username: undefined, clanTag: undefined }, tag: null },
  ])('reads $name as $tag', ({ overrides, tag }) => {
    expect(sessionTag(session(overrides))).toBe(tag);
  });
});

describe('wins since link', () => {
  it.each([
    { form: 'the legacy array', sessions: legacySessions },
    { form: 'the followed pages', sessions: pagedSessions },
  ])('counts 9 and 4 public wins from $form', ({ sessions }) => {
    expect(countWinsSinceLink(sessions, LINKED)).toBe(9);
    expect(countWinsSinceLink(sessions, LINKED_LATER)).toBe(4);
  });

  it.each([
    { name: 'a game starting exactly at the link (#15)', gameId: 'Ve4cX9zA', counted: true },
    { name: 'a game without start dated by its end after the link (#8)', gameId: 'Gf6hJ2kS', counted: true },
    { name: 'a game without start dated by its end before the link (#9)', gameId: 'Wd3eR7tY', counted: false },
    { name: 'a game without any time (#19)', gameId: 'Qa1zS4xD', counted: false },
    { name: 'a private win after the link (#4)', gameId: 'Xe5bJ1uA', counted: false },
    { name: 'a single-player win after the link (#10)', gameId: 'Ua9iO0pL', counted: false },
    { name: 'a ranked 2v2 public win (#14)', gameId: 'Ti8uY2tR', counted: true },
    { name: 'a win before the link (#3)', gameId: 'p2ZsW6cD', counted: false },
    { name: 'a loss after the link (#2)', gameId: 'Hq3vN8xL', counted: false },
  ])('counts $name: $counted', ({ gameId, counted }) => {
    expect(countWinsSinceLink([fixtureSession(gameId)], LINKED)).toBe(counted ? 1 : 0);
  });

  it.each([
    { name: 'a start one millisecond before, in another offset', gameStart: '2026-03-01T13:59:59.999+02:00', counted: false },
    { name: 'the same instant written in another offset', gameStart: '2026-03-01T14:00:00+02:00', counted: true },
    { name: 'an unreadable start with a readable end after', gameStart: 'soon', counted: true },
  ])('compares times as instants: $name', ({ gameStart, counted }) => {
    expect(countWinsSinceLink([session({ gameStart, gameEnd: '2026-03-02T00:00:00Z' })], LINKED)).toBe(counted ? 1 : 0);
  });

  it('refuses a link time that is not a time', () => {
    expect(() => countWinsSinceLink(legacySessions, 'yesterday')).toThrow(RangeError);
  });

  it('counts 0 for a known player without sessions', () => {
    expect(countWinsSinceLink(emptySessions, LINKED)).toBe(0);
  });
});

describe('clan wins', () => {
  it.each([
    { tags: ['ABC'], wins: 9 },
    { tags: ['abc'], wins: 9 },
    { tags: ['ABC', 'XYZ'], wins: 11 },
    { tags: ['XYZ'], wins: 2 },
    { tags: [], wins: 0 },
  ])('counts $wins public wins for tags $tags, from either response form', ({ tags, wins }) => {
    expect(countClanWins(legacySessions, tags)).toBe(wins);
    expect(countClanWins(pagedSessions, tags)).toBe(wins);
  });

  it.each([
    { name: 'a lower-case username prefix (#5)', gameId: 'Rt8yU3oP', counted: true },
    { name: 'a tag that is not a prefix (#11)', gameId: 'Bq2wE4rT', counted: false },
    { name: 'a clanTag XYZ over an ABC prefix (#12)', gameId: 'Ls5dF8gH', counted: false },
    { name: 'a null username (#18)', gameId: 'Yh5tG8rF', counted: false },
    { name: 'a game without any time (#19)', gameId: 'Qa1zS4xD', counted: true },
    { name: 'a private win (#4)', gameId: 'Xe5bJ1uA', counted: false },
    { name: 'a tagged loss (#13)', gameId: 'Nc7vB1nM', counted: false },
  ])('under {ABC} counts $name: $counted', ({ gameId, counted }) => {
    expect(countClanWins([fixtureSession(gameId)], ['ABC'])).toBe(counted ? 1 : 0);
  });

  it('ignores stored tags that are not tags', () => {
    expect(countClanWins(legacySessions, ['', 'A', ' abc '])).toBe(9);
  });

  it('counts 0 for a known player without sessions', () => {
    expect(countClanWins(emptySessions, ['ABC'])).toBe(0);
  });
});

describe('counting by mode', () => {
  const profile = fixture<PlayerProfile>('player_info.json');
  const input = { profile, sessions: pagedSessions, linkedAt: LINKED, clanTags: ['ABC', 'XYZ'] };

  it.each([
    { mode: 'total', wins: 33 },
    { mode: 'sessions_since_link', wins: 9 },
    { mode: 'sessions_with_clan', wins: 11 },
  ] as const)('counts $wins wins in mode $mode', ({ mode, wins }) => {
    expect(countWins(mode, input)).toBe(wins);
  });

  it.each([
    { mode: 'total', missing: { ...input, profile: undefined } },
    { mode: 'sessions_since_link', missing: { ...input, sessions: undefined } },
    { mode: 'sessions_with_clan', missing: { ...input, sessions: undefined } },
  ] as const)('refuses to count mode $mode without the data it needs', ({ mode, missing }) => {
    expect(() => countWins(mode, missing)).toThrow(/needs/);
  });

  it('counts the session modes without the profile', () => {
    expect(countWins('sessions_with_clan', { sessions: legacySessions, linkedAt: LINKED, clanTags: ['XYZ'] })).toBe(2);
  });
});

describe('latest username', () => {
  it.each([
    { form: 'the legacy array', sessions: legacySessions },
    { form: 'the followed pages', sessions: pagedSessions },
  ])('skips the newest game’s null name and gives Falcon, from $form', ({ sessions }) => {
    expect(latestUsername(sessions)).toBe('Falcon');
  });

  it('orders by game end, else start, and puts undated games last', () => {
    const sessions = [
      session({ username: 'Undated', gameStart: null, gameEnd: null }),
      session({ username: 'Old', gameStart: '2026-01-01T00:00:00Z', gameEnd: '2026-01-01T00:20:00Z' }),
      session({ username: 'Newest', gameStart: '2026-02-01T00:00:00Z', gameEnd: null }),
      session({ username: '  ', gameStart: '2026-03-01T00:00:00Z', gameEnd: '2026-03-01T00:20:00Z' }),
    ];
    expect(latestUsername(sessions)).toBe('Newest');
    expect(latestUsername([sessions[0]])).toBe('Undated');
  });

  it('gives null when no game has a name', () => {
    expect(latestUsername([session({ username: null })])).toBeNull();
    expect(latestUsername(emptySessions)).toBeNull();
  });
});
