/*
 * Calendar days as `YYYY-MM-DD` strings, computed in UTC arithmetic so no server time zone can
 * shift them, and "today" taken in the user's own time zone.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The days a scheduled sync reads: today and the six before it. */
export const SYNC_WINDOW_DAYS = 7;
/** The longest range one sync may ask for (Fitbit's sleep range limit). */
export const MAX_SYNC_RANGE_DAYS = 100;

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `start` to `end`, both included (0 when `end` is before `start`). */
export function daysInRange(start: string, end: string): number {
  return Math.max(0, Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1);
}

/** en-CA formats as YYYY-MM-DD. Formatters are costly to build and every sync needs one: one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    try {
      found = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      found = null;
    }
    formatters.set(timeZone, found);
  }
  return found;
}

export function isValidTimeZone(timeZone: string): boolean {
  return formatter(timeZone) !== null;
}

/** The calendar day `at` falls on in `timeZone` (UTC when null or unknown). */
export function localDate(at: Date, timeZone: string | null): string {
  return ((timeZone !== null && formatter(timeZone)) || formatter('UTC')!).format(at);
}

export interface DateRange {
  startDate: string;
  endDate: string;
}

/** The last `SYNC_WINDOW_DAYS` calendar days of the user, today included. */
export function syncWindow(now: Date, timeZone: string | null): DateRange {
  const endDate = localDate(now, timeZone);
  return { startDate: addDays(endDate, 1 - SYNC_WINDOW_DAYS), endDate };
}
