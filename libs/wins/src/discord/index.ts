/** The wins Necord command classes and listeners, registered by `WinsModule`. */
export const winsDiscordProviders = [];
