import { scopes } from './scopes';
import type { AdminGuild } from './web-session';

/** Why a sign-in with Discord failed; the browser lands on `/sign-in?error=<code>`. */
export type SignInErrorCode = 'access_denied' | 'invalid_state' | 'discord_unavailable' | 'discord_refused' | 'not_configured';

/** A sign-in that ended with one of the named errors. The message is for the log: it never holds a code or a token. */
export class SignInFailed extends Error {
  constructor(
    readonly code: SignInErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'SignInFailed';
  }
}

/** A guild from Discord's `GET /users/@me/guilds`, as much of it as sign-in reads. */
export interface DiscordGuildSummary {
  id: string;
  name: string;
  owner: boolean;
  /** The user's permissions in the guild: a decimal bitfield string. */
  permissions: string;
}

const ADMINISTRATOR = 0x8n;
const MANAGE_GUILD = 0x20n;

/** Whether the user may administer the guild: its owner, or holding Administrator or Manage Guild. */
export function administers(guild: DiscordGuildSummary): boolean {
  if (guild.owner) return true;
  let permissions: bigint;
  try {
    permissions = BigInt(guild.permissions);
  } catch {
    return false;
  }
  return (permissions & (ADMINISTRATOR | MANAGE_GUILD)) !== 0n;
}

/** The guilds a session administers: administered on Discord AND registered with Herald. */
export function adminGuildsOf(guilds: readonly DiscordGuildSummary[], registered: ReadonlySet<string>): AdminGuild[] {
  return guilds
    .filter((guild) => registered.has(guild.id) && administers(guild))
    .map((guild) => ({ guildId: guild.id, name: guild.name }));
}

/** A Discord session's scopes: its user, and the admin scope of each of its admin guilds. */
export function discordSessionScopes(userId: string, adminGuilds: readonly AdminGuild[]): string[] {
  return [scopes.user(userId), ...adminGuilds.map((guild) => scopes.guildAdmin(guild.guildId))];
}
