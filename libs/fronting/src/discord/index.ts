import { FrontingCommands } from './fronting.commands';

export { FrontingCommands };
export { FRONTING_SETUP_MODAL_ID, SETUP_INPUTS } from './setup-modal';

/**
 * The fronting Necord command classes, registered by `FrontingModule`. Without `NecordModule`
 * (no token, or DISCORD_GATEWAY=off) their decorators are inert and they are plain providers.
 */
export const frontingDiscordProviders = [FrontingCommands];
