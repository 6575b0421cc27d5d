import { streams } from '@herald/core';

const PREFIX = streams.integration('', '').slice(0, -1);

/**
 * The user and plugin of an `integration-<userId>_<pluginId>` stream. User ids may hold `_`,
 * plugin ids never do (plugin.ts), so the last `_` separates them.
 */
export function integrationOfStream(streamId: string): { userId: string; pluginId: string } {
  const rest = streamId.slice(PREFIX.length);
  const split = rest.lastIndexOf('_');
  if (!streamId.startsWith(PREFIX) || split <= 0) throw new Error(`${streamId} is not an integration stream`);
  return { userId: rest.slice(0, split), pluginId: rest.slice(split + 1) };
}
