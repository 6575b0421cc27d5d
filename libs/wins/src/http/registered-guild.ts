import { NotFound } from '@herald/core';
import type { GuildSettingsDocument, WinsReadModel } from '../projections/wins.read-model';

/** The guild's settings as projected; a guild Herald does not serve answers 404 on every read. */
export async function registeredGuildSettings(readModel: WinsReadModel, guildId: string): Promise<GuildSettingsDocument> {
  const settings = await readModel.settings(guildId);
  if (!settings) throw new NotFound(`Guild ${guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
  return settings;
}
