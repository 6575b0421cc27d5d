import { Inject, Injectable } from '@nestjs/common';
import { foldEvents, streams } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import type { GuildEvent, MemberEvent } from '../domain/events';
import { guildDecider, type GuildState } from '../domain/guild.decider';
import { memberDecider, type MemberState } from '../domain/member.decider';

/** A guild's or a member's current state, folded from its stream: decisions read the log, not a read model. */
@Injectable()
export class WinsState {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async guild(guildId: string): Promise<GuildState> {
    const events = await this.store.readStream(streams.guild(guildId));
    return foldEvents(guildDecider, events as unknown as GuildEvent[]);
  }

  async member(guildId: string, userId: string): Promise<MemberState> {
    const events = await this.store.readStream(streams.guildMember(guildId, userId));
    return foldEvents(memberDecider, events as unknown as MemberEvent[]);
  }
}
