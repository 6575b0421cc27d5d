import { Injectable } from '@nestjs/common';
import { InvalidInput } from '@herald/core';
import { OpenFrontClient } from '../clients/openfront.client';
import { countWins, latestUsername } from '../domain/count-wins';
import type { CountingMode } from '../domain/ids';
import type { PlayerProfile, PlayerSession } from '../domain/openfront';

/** OpenFront has no player with this id (a profile 404). */
export class UnknownPlayer extends InvalidInput {
  constructor(playerId: string) {
    super(`OpenFront knows no player with the id ${playerId}.`, {
      code: 'PLAYER.UNKNOWN',
      errors: [{ field: 'playerId', messages: [`OpenFront knows no player with the id ${playerId}`] }],
    });
  }
}

export interface PlayerCount {
  wins: number;
  username: string | null;
}

/**
 * The same player in several guilds is read once per window: answers (and requests in flight)
 * are shared for this long unless a caller asks for fresh data.
 */
const SHARED_FOR_MS = 5 * 60_000;

/** Reads what a counting mode needs from OpenFront and counts a player's wins. */
@Injectable()
export class PlayerStats {
  private readonly recent = new Map<string, { at: number; answer: Promise<unknown> }>();

  constructor(private readonly openfront: OpenFrontClient) {}

  async count(
    request: { playerId: string; mode: CountingMode; linkedAt: string; clanTags: readonly string[] },
    options: { fresh?: boolean } = {},
  ): Promise<PlayerCount> {
    const { playerId, mode } = request;
    if (mode === 'total') {
      const profile = await this.profile(playerId, options.fresh);
      return { wins: countWins(mode, { profile, linkedAt: request.linkedAt, clanTags: request.clanTags }), username: profile.username ?? null };
    }
    const sessions = await this.sessions(playerId, options.fresh);
    return {
      wins: countWins(mode, { sessions, linkedAt: request.linkedAt, clanTags: request.clanTags }),
      username: latestUsername(sessions),
    };
  }

  /** The profile, or `UnknownPlayer`. */
  profile(playerId: string, fresh = false): Promise<PlayerProfile> {
    return this.shared(`profile:${playerId}`, fresh, async () => {
      const profile = await this.openfront.player(playerId);
      if (!profile) throw new UnknownPlayer(playerId);
      return profile;
    });
  }

  /** Public sessions; a sessions 404 is confirmed against the profile (legacy deployments 404 a player without games). */
  private sessions(playerId: string, fresh = false): Promise<PlayerSession[]> {
    return this.shared(`sessions:${playerId}`, fresh, async () => {
      const sessions = await this.openfront.sessions(playerId, { type: 'public' });
      if (sessions !== null) return sessions;
      await this.profile(playerId, true);
      return [];
    });
  }

  private shared<T>(key: string, fresh: boolean, read: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const known = this.recent.get(key);
    if (known && (!fresh || now - known.at < 1_000) && now - known.at < SHARED_FOR_MS) return known.answer as Promise<T>;
    const answer = read();
    this.recent.set(key, { at: now, answer });
    // Failures are not shared beyond the requests already waiting on them.
    answer.catch(() => this.recent.get(key)?.answer === answer && this.recent.delete(key));
    this.forgetOld(now);
    return answer;
  }

  private forgetOld(now: number): void {
    if (this.recent.size < 10_000) return;
    for (const [key, entry] of this.recent) if (now - entry.at >= SHARED_FOR_MS) this.recent.delete(key);
  }
}
