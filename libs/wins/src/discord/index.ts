import { ApiTokenCommand } from './api-token.command';
import { GuildActivityCommands } from './guild-activity.commands';
import { GuildAdmins } from './guild-admins';
import { GuildJoinListener } from './guild-join.listener';
import { GuildSettingsCommands } from './guild-settings.commands';
import { PlayerLinkCommands } from './player-link.commands';

export { ApiTokenCommand, GuildActivityCommands, GuildAdmins, GuildJoinListener, GuildSettingsCommands, PlayerLinkCommands };

/** The classes whose methods are slash commands. */
export const winsSlashCommandClasses = [PlayerLinkCommands, GuildSettingsCommands, GuildActivityCommands, ApiTokenCommand];

/**
 * The wins Necord command classes and listeners, registered by `WinsModule`. Without `NecordModule`
 * (no token, or DISCORD_GATEWAY=off) their decorators are inert and they are plain providers.
 */
export const winsDiscordProviders = [...winsSlashCommandClasses, GuildJoinListener, GuildAdmins];
