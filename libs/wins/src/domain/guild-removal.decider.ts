import type { Decider } from '@herald/core';
import type { GuildRemoved } from './events';

export interface RecordGuildRemoval {
  type: 'RecordGuildRemoval';
  guildId: string;
  actorId: string | null;
}

/**
 * `config-global` keeps a record of each guild removal (the guild's own streams are deleted).
 * Recording needs no state: every removal is recorded.
 */
export const guildRemovalDecider: Decider<RecordGuildRemoval, GuildRemoved, null> = {
  initialState: () => null,
  evolve: () => null,
  decide: ({ guildId, actorId }) => [{ type: 'GuildRemoved', data: { guildId, actorId } }],
};
