/** Stream names are `<category>-<id>` (DESIGN.md). One place builds them, so they are spelled one way. */
export const streams = {
  guild: (guildId: string) => `guild-${guildId}`,
  guildMember: (guildId: string, userId: string) => `guildmember-${guildId}_${userId}`,
  system: (userId: string) => `system-${userId}`,
  presence: (userId: string) => `presence-${userId}`,
  user: (userId: string) => `user-${userId}`,
  integration: (userId: string, pluginId: string) => `integration-${userId}_${pluginId}`,
  globalConfig: () => 'config-global',
} as const;

export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}
