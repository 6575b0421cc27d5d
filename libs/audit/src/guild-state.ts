import { SetMetadata } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';

/**
 * A feature's view of a guild, folded from the guild's streams. The audit replays the log through
 * every registered view to show a guild as it was at any moment.
 */
export interface GuildStateView<State = unknown> {
  /** Key of this view in the state document, e.g. `wins`. */
  readonly name: string;
  initialState(guildId: string): State;
  evolve(state: State, event: RecordedEvent): State;
}

export const GUILD_STATE_VIEW_METADATA = 'herald:guild-state-view';

/** Marks a Nest provider implementing `GuildStateView` so the audit replays through it. */
export const RegisterGuildStateView = (): ClassDecorator => SetMetadata(GUILD_STATE_VIEW_METADATA, true);

/** What every guild has whatever features it uses: how much happened, and the last thing that did. */
export interface GuildActivity {
  events: number;
  eventsByType: Record<string, number>;
  lastEventAt: string | null;
  lastPosition: number | null;
}

export const guildActivityView: GuildStateView<GuildActivity> = {
  name: 'activity',
  initialState: () => ({ events: 0, eventsByType: {}, lastEventAt: null, lastPosition: null }),
  evolve: (state, event) => ({
    events: state.events + 1,
    eventsByType: { ...state.eventsByType, [event.type]: (state.eventsByType[event.type] ?? 0) + 1 },
    lastEventAt: event.metadata.occurredAt,
    lastPosition: event.position,
  }),
};
