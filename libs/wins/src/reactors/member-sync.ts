import { Injectable, Logger } from '@nestjs/common';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { UpstreamMalformed, UpstreamRejected, UpstreamUnavailable } from '@herald/http-client';
import { WinsState } from '../commands/wins-state';
import type { MemberSyncFailureReason } from '../domain/events';
import type { GuildState } from '../domain/guild.decider';
import { memberDecider } from '../domain/member.decider';
import { PlayerStats, UnknownPlayer } from './player-stats';
import { RoleReconciler } from './role-reconciler';

export interface MemberSyncOptions {
  /** Bypass answers shared with other guilds' runs. */
  fresh: boolean;
  /** Re-read the member's Discord roles and repair drift even when nothing changed. */
  repairRoles: boolean;
  context: CommandContext;
}

export type MemberSyncOutcome =
  | { status: 'unlinked' }
  | { status: 'counted'; playerId: string; wins: number; changed: boolean; username: string | null }
  | { status: 'failed'; playerId: string; reason: MemberSyncFailureReason; detail: string; transient: boolean };

/** One member's sync: count their wins, record a change, then bring their roles in line. */
@Injectable()
export class MemberSync {
  private readonly logger = new Logger(MemberSync.name);

  constructor(
    private readonly state: WinsState,
    private readonly stats: PlayerStats,
    private readonly roles: RoleReconciler,
    private readonly commands: CommandRunner,
  ) {}

  async sync(guild: GuildState, userId: string, options: MemberSyncOptions): Promise<MemberSyncOutcome> {
    const guildId = guild.guildId!;
    const context = { ...options.context, guildId, userId };
    let member = await this.state.member(guildId, userId);
    let outcome: MemberSyncOutcome = { status: 'unlinked' };
    const link = member.link;
    if (link) {
      const streamId = streams.guildMember(guildId, userId);
      try {
        const count = await this.stats.count(
          { playerId: link.playerId, mode: guild.countingMode, linkedAt: link.linkedAt, clanTags: guild.clanTags },
          { fresh: options.fresh },
        );
        const previousWins = member.wins;
        const result = await this.commands.run({
          streamId,
          decider: memberDecider,
          command: { type: 'RecordWins', guildId, userId, playerId: link.playerId, wins: count.wins, countingMode: guild.countingMode, username: count.username ?? link.username },
          context,
        });
        member = result.state;
        outcome = { status: 'counted', playerId: link.playerId, wins: count.wins, changed: previousWins !== count.wins, username: count.username ?? link.username };
      } catch (error) {
        const failure = describeFailure(error);
        if (!failure) throw error;
        this.logger.warn(`guild ${guildId}: sync of member ${userId} (player ${link.playerId}) failed: ${failure.detail}`);
        const result = await this.commands.run({
          streamId,
          decider: memberDecider,
          command: { type: 'RecordSyncFailure', guildId, userId, playerId: link.playerId, reason: failure.reason, detail: failure.detail },
          context,
        });
        member = result.state;
        outcome = { status: 'failed', playerId: link.playerId, ...failure };
      }
    }
    try {
      await this.roles.reconcile(guild, userId, member, { repair: options.repairRoles, context });
    } catch (error) {
      // Discord trouble for one member must not end the guild's run; the next run tries again.
      this.logger.warn(`guild ${guildId}: roles of member ${userId} not reconciled: ${(error as Error).message}`);
    }
    return outcome;
  }
}

function describeFailure(error: unknown): { reason: MemberSyncFailureReason; detail: string; transient: boolean } | null {
  if (error instanceof UnknownPlayer) return { reason: 'player_not_found', detail: error.message, transient: false };
  if (error instanceof UpstreamUnavailable) return { reason: 'upstream_unavailable', detail: error.message, transient: true };
  if (error instanceof UpstreamMalformed) return { reason: 'upstream_malformed', detail: error.message, transient: true };
  // A refusal retrying cannot fix (a 400 on a cursor, say): this member fails, the upstream is not down.
  if (error instanceof UpstreamRejected) return { reason: 'upstream_malformed', detail: error.message, transient: false };
  return null;
}
