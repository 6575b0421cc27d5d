import { Inject, Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import { type Document, READ_STORE, type ReadStore, type ReadStoreSession } from '@herald/readstore';

/** Global scope: the guilds Herald serves, id = guild id. */
export const REGISTERED_GUILDS_COLLECTION = 'identity_registered_guilds';

export interface RegisteredGuildDocument extends Document {
  name: string | null;
}

/**
 * The two guild facts sign-in needs, read from the log by type: identity keeps its own list of
 * the guilds Herald serves instead of reaching into a feature's read model.
 */
type GuildLifecycleEvent =
  | { type: 'GuildRegistered'; data: { guildId: string; name: string | null } }
  | { type: 'GuildRemoved'; data: { guildId: string } };

/** Which guilds are registered with Herald, so a session gets admin scopes only for those. */
@RegisterProjection()
@Injectable()
export class RegisteredGuildsProjection implements Projection {
  readonly name = 'registered-guilds';
  readonly filter = { eventTypes: ['GuildRegistered', 'GuildRemoved'] };
  readonly collections = [REGISTERED_GUILDS_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    const guilds = session.global().collection<RegisteredGuildDocument>(REGISTERED_GUILDS_COLLECTION);
    const event = recorded as unknown as GuildLifecycleEvent;
    if (event.type === 'GuildRegistered') await guilds.upsert({ id: event.data.guildId, name: event.data.name });
    else await guilds.delete(event.data.guildId);
  }
}

@Injectable()
export class RegisteredGuildsReadModel {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  /** Those of `guildIds` that are registered with Herald. */
  async registered(guildIds: readonly string[]): Promise<Set<string>> {
    if (guildIds.length === 0) return new Set();
    const { items } = await this.readStore
      .global()
      .collection<RegisteredGuildDocument>(REGISTERED_GUILDS_COLLECTION)
      .find({ filter: { id: { $in: [...guildIds] } }, limit: guildIds.length });
    return new Set(items.map((guild) => guild.id));
  }
}
