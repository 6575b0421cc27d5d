/**
 * OpenFront's public API payloads as the wins domain reads them (see the project's OpenFront
 * reference). The API changed shape several times, so every field is optional or nullable and
 * the counting rules guard each level; nothing here is validated strictly.
 */

/** A non-negative integer written as a string, e.g. `"23"`. */
export type DecimalString = string;

export type Difficulty = 'Easy' | 'Medium' | 'Hard' | 'Impossible';

/** `Humans Vs Nations` appears only on newer deployments. */
export type ModeKey = 'Free For All' | 'Team' | 'Humans Vs Nations';

/** One `<type>.<mode>.<difficulty>` bucket; its per-game counters are not read here. */
export interface StatsLeaf {
  wins?: DecimalString | null;
  losses?: DecimalString | null;
  total?: DecimalString | null;
}

export type ModeStats = Partial<Record<ModeKey, Partial<Record<Difficulty, StatsLeaf | null>> | null>>;

/** `GET /public/player/:playerId`. A brand-new player has `stats: {}`. */
export interface PlayerProfile {
  publicId?: string | null;
  createdAt?: string | null;
  /** Account name; null when never set. */
  username?: string | null;
  /** The linked Discord account; absent when the profile is private. */
  user?: { id?: string; username?: string; global_name?: string | null } | null;
  stats?: {
    Public?: ModeStats | null;
    Private?: ModeStats | null;
    Singleplayer?: ModeStats | null;
    Ranked?: Partial<Record<'1v1' | '2v2', StatsLeaf | null>> | null;
  } | null;
  /** Current memberships, not historical. */
  clans?: { tag?: string; name?: string; role?: string }[] | null;
}

/** One game of a player, from `GET /public/player/:playerId/sessions` (either response form). */
export interface PlayerSession {
  gameId: string;
  gameStart?: string | null;
  gameEnd?: string | null;
  gameType?: 'Public' | 'Private' | 'Singleplayer' | null;
  gameMode?: 'Free For All' | 'Team' | null;
  /** Absent on 2025-era responses. */
  gameRankedType?: 'unranked' | '1v1' | '2v2' | null;
  clientId?: string | null;
  /** The in-game display name used in that game. */
  username?: string | null;
  /** The tag used in that game; null or `""` when none, not always upper-case. */
  clanTag?: string | null;
  hasWon: boolean;
}
