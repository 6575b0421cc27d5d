import { IntegrationsCommands } from './integrations.commands';

export { IntegrationsCommands };

/**
 * The imports Necord command classes, registered by `ImportsModule`. Without `NecordModule` (no
 * token, or DISCORD_GATEWAY=off) their decorators are inert and they are plain providers.
 */
export const importsDiscordProviders = [IntegrationsCommands];
