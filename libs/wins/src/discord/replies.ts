import type { AuditEntry, AuditPage } from '@herald/audit';
import { discordTime, fitMessage, mentionRole, mentionUser } from '@herald/discord';
import type { LinkResult } from '../commands/link-player.command';
import type { MemberSyncFailureReason, RoleChangeFailure } from '../domain/events';
import { type CountingMode, isSnowflake } from '../domain/ids';
import type { RoleThreshold } from '../domain/role-tier-policy';
import type { GuildSettingsDocument, PlayerDocument } from '../projections/wins.read-model';
import type { SyncRunProgress } from '../reactors/guild-sync-runs';

// The texts of the wins commands' replies: pure functions of what the commands read.

export const COUNTING_MODE_SUMMARIES: Record<CountingMode, string> = {
  total: 'every public win on the OpenFront profile',
  sessions_since_link: 'public wins since the member linked',
  sessions_with_clan: "public wins under one of the server's clan tags",
};

const SYNC_FAILURES: Record<MemberSyncFailureReason, string> = {
  player_not_found: 'OpenFront knows no player with this id; link the right one with /link',
  upstream_unavailable: 'OpenFront did not answer; the next sync tries again',
  upstream_malformed: 'OpenFront sent an answer Herald could not read; the next sync tries again',
};

const ROLE_PROBLEMS: Partial<Record<RoleChangeFailure['reason'], string>> = {
  missing_permissions: 'Herald may not change this role (Discord 50013): give Herald Manage Roles and move its role above this one',
  unknown_role: 'this role no longer exists (Discord 10011): set another with /roles_add or drop it with /roles_remove',
};

/** Most leaderboard and audit lines a reply shows. */
export const LINES_PER_PAGE = 10;
const MAX_AUDIT_LINE = 170;

export function countingModeText(mode: CountingMode, clanTags: readonly string[]): string {
  const lines = [`Counting mode: **${mode}**, ${COUNTING_MODE_SUMMARIES[mode]}.`];
  if (mode === 'sessions_with_clan' && clanTags.length === 0) lines.push('No clan tags yet, so no win counts: add one with /clan_tag_add.');
  return lines.join('\n');
}

export function thresholdsText(thresholds: readonly RoleThreshold[]): string {
  if (thresholds.length === 0) return 'No win roles yet: add one with /roles_add.';
  const lines = thresholds.map((threshold) => `• ${threshold.wins} wins → ${mentionRole(threshold.roleId)}`);
  return ['Win roles (a member gets the highest one reached):', ...lines].join('\n');
}

export function clanTagsText(clanTags: readonly string[]): string {
  return clanTags.length === 0 ? 'No clan tags yet: add one with /clan_tag_add.' : `Clan tags: ${clanTags.join(', ')}.`;
}

export function adminRolesText(adminRoleIds: readonly string[]): string {
  const base = 'Herald admins: members with Administrator or Manage Server';
  return adminRoleIds.length === 0 ? `${base}.` : `${base}, and members with ${adminRoleIds.map(mentionRole).join(', ')}.`;
}

export function linkedText(result: LinkResult, userId: string, self: boolean): string {
  const who = self ? 'You are' : `${mentionUser(userId)} is`;
  const player = result.username ? `**${result.username}** (\`${result.playerId}\`)` : `\`${result.playerId}\``;
  const wins = result.wins === null ? 'OpenFront did not answer just now; the next sync counts the wins.' : `Wins: **${result.wins}**.`;
  return `${who} linked to OpenFront player ${player}. ${wins}`;
}

export interface StatusView {
  userId: string;
  self: boolean;
  player: PlayerDocument | null;
  settings: GuildSettingsDocument | null;
  /** Guild problems for admins: role changes Discord refused, a sync backoff. */
  showGuildProblems: boolean;
  now: Date;
}

export function statusText(view: StatusView): string {
  const { player, settings } = view;
  const lines = player ? memberStatusLines(view, player, settings) : [noLinkText(view)];
  if (view.showGuildProblems && settings) lines.push(...guildProblemLines(settings, view.now));
  return fitMessage(lines.join('\n'));
}

function noLinkText({ self, userId }: StatusView): string {
  return self ? 'You have no linked OpenFront player here: use /link player_id.' : `${mentionUser(userId)} has no linked OpenFront player here.`;
}

function memberStatusLines(view: StatusView, player: PlayerDocument, settings: GuildSettingsDocument | null): string[] {
  const name = player.username ? `**${player.username}** (\`${player.playerId}\`)` : `\`${player.playerId}\``;
  const mode = settings ? ` (counting mode ${settings.countingMode})` : '';
  const lines = [
    `${view.self ? 'You are' : `${mentionUser(view.userId)} is`} linked to OpenFront player ${name} since ${discordTime(player.linkedAt, 'D')}.`,
    `Wins: ${player.wins === null ? 'not counted yet' : `**${player.wins}**`}${mode}`,
    `Role: ${player.roleId ? mentionRole(player.roleId) : 'none'}`,
    `Last sync: ${player.lastSyncAt ? discordTime(player.lastSyncAt) : 'never'}`,
  ];
  if (player.lastFailure) lines.push(`Last sync failed: ${SYNC_FAILURES[player.lastFailure]}.`);
  return lines;
}

function guildProblemLines(settings: GuildSettingsDocument, now: Date): string[] {
  const problems = settings.roleProblems.map(
    (problem) => `• ${mentionRole(problem.roleId)}: ${ROLE_PROBLEMS[problem.reason] ?? problem.message}`,
  );
  if (settings.backoffUntil && Date.parse(settings.backoffUntil) > now.getTime()) {
    problems.push(`• Syncs are paused until ${discordTime(settings.backoffUntil)} after repeated OpenFront failures.`);
  }
  return problems.length === 0 ? ['Server: no problems.'] : ['Server problems:', ...problems];
}

export function syncSummaryText(run: Omit<SyncRunProgress, 'done'>, userId: string | undefined): string {
  const who = userId === undefined ? 'every linked member' : mentionUser(userId);
  const counts = `${run.checked} checked, ${run.changed} changed, ${run.failed} failed`;
  const seconds = run.durationMs === null ? '' : ` in ${(run.durationMs / 1000).toFixed(1)} s`;
  const lines =
    run.state === 'completed'
      ? [`Sync of ${who} finished${seconds}: ${counts}.`]
      : [`Sync of ${who} stopped early${seconds}: ${counts}. After repeated OpenFront failures Herald pauses this server's syncs for a while.`];
  const failures = run.failures.slice(0, LINES_PER_PAGE).map(
    (failure) => `• ${mentionUser(failure.userId)} (\`${failure.playerId}\`): ${SYNC_FAILURES[failure.reason]}`,
  );
  if (failures.length > 0) lines.push('Failures:', ...failures);
  if (run.failures.length > failures.length) lines.push(`…and ${run.failures.length - failures.length} more.`);
  return fitMessage(lines.join('\n'));
}

export function leaderboardText(players: readonly PlayerDocument[]): string {
  if (players.length === 0) return 'Nobody has linked an OpenFront player here yet: use /link player_id.';
  const lines = players.map((player, index) => {
    const wins = player.wins === null ? 'not counted yet' : `**${player.wins}** wins`;
    const name = player.username ? ` (${player.username})` : '';
    return `${index + 1}. ${mentionUser(player.userId)}: ${wins}${name}`;
  });
  return fitMessage(['**Leaderboard**, most wins first', ...lines].join('\n'));
}

export function auditText(page: AuditPage): string {
  if (page.items.length === 0) {
    return page.page === 1 ? 'Nothing has happened in this server yet.' : `Page ${page.page} is past the end of the audit.`;
  }
  const lines = [`**Audit**, page ${page.page}, newest first`, ...page.items.map(auditLine)];
  if (page.hasMore) lines.push(`Older entries: /audit page:${page.page + 1}`);
  return fitMessage(lines.join('\n'));
}

function auditLine(entry: AuditEntry): string {
  const actor = entry.actorId === null ? '' : ` by ${isSnowflake(entry.actorId) ? mentionUser(entry.actorId) : entry.actorId}`;
  const fields = Object.entries(entry.data)
    .filter(([key]) => key !== 'guildId')
    .map(([key, value]) => [key, auditValue(key, value)] as const)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  const head = `\`#${entry.position}\` ${discordTime(entry.occurredAt, 'f')} **${entry.type}**${actor} (${entry.source})`;
  const line = fields ? `${head}: ${fields}` : head;
  return line.length <= MAX_AUDIT_LINE ? line : `${line.slice(0, MAX_AUDIT_LINE - 1)}…`;
}

/** Fields of wins events that hold role ids (`added`/`removed`: the roles a reconcile changed). */
const ROLE_FIELD = /roleIds?$|^added$|^removed$/i;
const USER_FIELD = /userId$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A field as a short text: ids as mentions, run ids cut short, lists of objects as their count, nested objects left out. */
function auditValue(key: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    if (value.some((item) => typeof item === 'object' && item !== null)) return String(value.length);
    return value.length === 0 ? 'none' : value.map((item) => auditValue(key, item)).join(' ');
  }
  if (typeof value === 'object') return null;
  const text = String(value);
  if (ROLE_FIELD.test(key) && isSnowflake(text)) return mentionRole(text);
  if (USER_FIELD.test(key) && isSnowflake(text)) return mentionUser(text);
  return UUID.test(text) ? text.slice(0, 8) : text;
}
