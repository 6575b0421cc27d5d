/** Discord refuses message content longer than this. */
export const MAX_MESSAGE_LENGTH = 2000;

/** Cuts text to what Discord accepts, saying so when it had to. */
export function fitMessage(text: string): string {
  if (text.length <= MAX_MESSAGE_LENGTH) return text;
  const marker = '\n…';
  return text.slice(0, MAX_MESSAGE_LENGTH - marker.length) + marker;
}

export const mentionUser = (userId: string): string => `<@${userId}>`;
export const mentionRole = (roleId: string): string => `<@&${roleId}>`;

/** A time every member sees in their own zone (`R`: relative, `D`: date, `f`: date and time). */
export function discordTime(iso: string, style: 'R' | 'D' | 'f' = 'R'): string {
  return `<t:${Math.floor(Date.parse(iso) / 1000)}:${style}>`;
}
