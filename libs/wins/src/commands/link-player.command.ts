import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock, type CommandContext, CommandRunner, Forbidden, NotFound, streams } from '@herald/core';
import { DiscordRolesClient } from '../clients/discord-roles.client';
import type { LinkedBy } from '../domain/events';
import { memberDecider } from '../domain/member.decider';
import { MemberSync } from '../reactors/member-sync';
import { PlayerStats } from '../reactors/player-stats';
import { WinsState } from './wins-state';

export interface LinkResult {
  playerId: string;
  username: string | null;
  /** Null when OpenFront could not be read just now; the next sync counts them. */
  wins: number | null;
}

/** Links a member to their OpenFront player (theirs, or an admin's override), then syncs them at once. */
export class LinkPlayerCommand extends Command<LinkResult> {
  constructor(
    readonly guildId: string,
    readonly userId: string,
    readonly playerId: string,
    readonly linkedBy: LinkedBy,
    readonly context: CommandContext,
    /** Check over Discord that the user is in the guild (a REST caller is not proven to be). */
    readonly checkMembership: boolean,
  ) {
    super();
  }
}

@CommandHandler(LinkPlayerCommand)
export class LinkPlayerHandler implements ICommandHandler<LinkPlayerCommand, LinkResult> {
  constructor(
    private readonly state: WinsState,
    private readonly stats: PlayerStats,
    private readonly members: MemberSync,
    private readonly discord: DiscordRolesClient,
    private readonly commands: CommandRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: LinkPlayerCommand): Promise<LinkResult> {
    const { guildId, userId, playerId, context } = command;
    const guild = await this.state.guild(guildId);
    if (!guild.registered) throw new NotFound(`Guild ${guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
    if (command.checkMembership && this.discord.available && (await this.discord.memberRoles(guildId, userId)) === null) {
      throw new Forbidden(`User ${userId} is not a member of guild ${guildId}.`, { code: 'MEMBER.NOT_IN_GUILD' });
    }
    // An unknown player is refused before anything is written.
    const profile = await this.stats.profile(playerId, true);
    const memberContext = { ...context, guildId, userId };
    await this.commands.run({
      streamId: streams.guildMember(guildId, userId),
      decider: memberDecider,
      command: {
        type: 'LinkPlayer',
        guildId,
        userId,
        playerId,
        linkedAt: this.clock.now().toISOString(),
        username: profile.username ?? null,
        linkedBy: command.linkedBy,
      },
      context: memberContext,
    });
    const outcome = await this.members.sync(guild, userId, { fresh: false, repairRoles: false, context: memberContext });
    if (outcome.status === 'counted') return { playerId, username: outcome.username, wins: outcome.wins };
    return { playerId, username: profile.username ?? null, wins: null };
  }
}
