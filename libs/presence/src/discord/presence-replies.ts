import { discordTime, fitMessage, mentionUser } from '@herald/discord';
import type { PresenceStatus } from '../domain/presence';
import type { PresenceView } from '../domain/privacy';

// The texts of the /presence replies: pure functions of what the commands read.

export const STATUS_LABELS: Readonly<Record<PresenceStatus, string>> = {
  online: 'online',
  away: 'away',
  dnd: 'do not disturb',
  in_studio: 'in the studio',
  offline: 'offline',
};

/** "**in the studio**: tracking vocals (Ableton Live), last active <t:…:R>" */
export function presenceText(view: PresenceView): string {
  let text = `**${STATUS_LABELS[view.status]}**`;
  if (view.message) text += `: ${view.message}`;
  if (view.daw) text += ` (${view.daw})`;
  if (view.lastActiveAt) text += `, last active ${discordTime(view.lastActiveAt)}`;
  return text;
}

export function ownPresenceText(view: PresenceView): string {
  return fitMessage(`Your presence: ${presenceText(view)}`);
}

export function userPresenceText(userId: string, view: PresenceView): string {
  return fitMessage(`${mentionUser(userId)} is ${presenceText(view)}`);
}

export function followText(userId: string, following: boolean): string {
  return following
    ? `You follow ${mentionUser(userId)}: their presence changes reach your Herald sockets, as their privacy settings allow.`
    : `You no longer follow ${mentionUser(userId)}.`;
}
