import { FitbitPlugin } from './fitbit/fitbit.plugin';

/**
 * Every data-import plugin Herald offers: the one place a plugin is registered. Each is a Nest
 * provider implementing `DataImportPlugin`; the routes, the scheduler, the admin configuration and
 * the Discord commands pick up whatever is listed here.
 */
export const REGISTERED_PLUGINS = [FitbitPlugin];
