import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type GuildStateView, RegisterGuildStateView } from '@herald/audit';
import { type GuildEvent, GUILD_EVENT_TYPES, type MemberEvent, MEMBER_EVENT_TYPES } from '../domain/events';
import { guildDecider, type GuildState } from '../domain/guild.decider';
import { memberDecider, type MemberState } from '../domain/member.decider';

export interface WinsGuildState {
  guild: GuildState;
  /** Every member with a stream, by user id: link, wins, last failure, last role reconcile. */
  members: Record<string, MemberState>;
}

const guildEventTypes = new Set<string>(GUILD_EVENT_TYPES);
const memberEventTypes = new Set<string>(MEMBER_EVENT_TYPES);

/** The guild's wins settings and members as they were at a moment of the log (`GET …/state?at=`), folded by the deciders' own `evolve`. */
@RegisterGuildStateView()
@Injectable()
export class WinsGuildStateView implements GuildStateView<WinsGuildState> {
  readonly name = 'wins';

  initialState(): WinsGuildState {
    return { guild: guildDecider.initialState(), members: {} };
  }

  evolve(state: WinsGuildState, event: RecordedEvent): WinsGuildState {
    if (guildEventTypes.has(event.type)) {
      return { ...state, guild: guildDecider.evolve(state.guild, event as unknown as GuildEvent) };
    }
    if (!memberEventTypes.has(event.type)) return state;
    const member = event as unknown as MemberEvent;
    const userId = member.data.userId;
    const current = state.members[userId] ?? memberDecider.initialState();
    return { ...state, members: { ...state.members, [userId]: memberDecider.evolve(current, member) } };
  }
}
