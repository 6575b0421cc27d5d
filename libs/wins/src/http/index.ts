import { GuildConfigController } from './guild-config.controller';
import { GuildsController } from './guilds.controller';
import { PlayersController } from './players.controller';
import { SyncController } from './sync.controller';

/** The wins REST controllers, registered by `WinsModule`. */
export const winsControllers = [GuildsController, GuildConfigController, PlayersController, SyncController];
