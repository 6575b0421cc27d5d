import type { DailyRecord, FieldValue, PluginField } from '../../domain/plugin';

/*
 * Fitbit Web API payloads to daily values, as test/fixtures/fitbit/README.md specifies: main sleep
 * only, keyed by `dateOfSleep`; `HH:MM` zero-padded; wall-clock times sliced from the timestamps
 * (they carry no offset, so parsing them into a Date would move them into the server's zone);
 * nothing for a value Fitbit did not send. Readiness and Cardio Load have no public endpoint, so
 * no field claims them.
 */

export const FITBIT_FIELDS: PluginField[] = [
  { id: 'sleepLength', name: 'Sleep length', type: 'duration', unit: 'HH:MM', description: 'Minutes asleep in the main sleep ending that day (not time in bed)' },
  { id: 'bedTime', name: 'Bed time', type: 'time', unit: 'HH:MM', description: 'Start of the main sleep ending that day, local wall-clock time' },
  { id: 'wakeUpTime', name: 'Wake-up time', type: 'time', unit: 'HH:MM', description: 'End of the main sleep, local wall-clock time' },
  { id: 'steps', name: 'Steps', type: 'number', unit: 'steps', description: 'Steps of the day (0 when the tracker recorded none)' },
  { id: 'restingHeartRate', name: 'Resting heart rate', type: 'number', unit: 'bpm', description: 'Absent on days without enough heart-rate data' },
  {
    id: 'activeZoneMinutes',
    name: 'Active Zone Minutes',
    type: 'number',
    unit: 'minutes',
    description: 'Fat-burn minutes plus cardio and peak minutes counted double',
  },
];

/** One Fitbit range endpoint, the OAuth scope it needs and the fields it fills. */
export interface FitbitResource {
  name: 'sleep' | 'steps' | 'heart' | 'activeZoneMinutes';
  scope: string;
  fields: string[];
  path(startDate: string, endDate: string): string;
  records(body: unknown): DailyRecord[];
}

export class MalformedFitbitBody extends Error {
  constructor(resource: string) {
    super(`the ${resource} answer is not shaped as documented`);
    this.name = 'MalformedFitbitBody';
  }
}

export const FITBIT_RESOURCES: FitbitResource[] = [
  {
    name: 'sleep',
    scope: 'sleep',
    fields: ['sleepLength', 'bedTime', 'wakeUpTime'],
    path: (start, end) => `/1.2/user/-/sleep/date/${start}/${end}.json`,
    records: sleepRecords,
  },
  {
    name: 'steps',
    scope: 'activity',
    fields: ['steps'],
    path: (start, end) => `/1/user/-/activities/steps/date/${start}/${end}.json`,
    records: (body) =>
      series(body, 'activities-steps', 'steps').flatMap(({ dateTime, value }) => {
        const steps = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
        return isCount(steps) ? [{ date: dateTime, fields: { steps } }] : [];
      }),
  },
  {
    name: 'heart',
    scope: 'heartrate',
    fields: ['restingHeartRate'],
    path: (start, end) => `/1/user/-/activities/heart/date/${start}/${end}.json`,
    records: (body) =>
      series(body, 'activities-heart', 'heart').flatMap(({ dateTime, value }) => {
        const resting = (value as { restingHeartRate?: unknown } | null)?.restingHeartRate;
        return isCount(resting) ? [{ date: dateTime, fields: { restingHeartRate: resting } }] : [];
      }),
  },
  {
    name: 'activeZoneMinutes',
    scope: 'activity',
    fields: ['activeZoneMinutes'],
    path: (start, end) => `/1/user/-/activities/active-zone-minutes/date/${start}/${end}.json`,
    records: (body) =>
      series(body, 'activities-active-zone-minutes', 'active zone minutes').flatMap(({ dateTime, value }) => {
        const minutes = (value as { activeZoneMinutes?: unknown } | null)?.activeZoneMinutes;
        return isCount(minutes) ? [{ date: dateTime, fields: { activeZoneMinutes: minutes } }] : [];
      }),
  },
];

interface SleepEntry {
  dateOfSleep?: unknown;
  isMainSleep?: unknown;
  minutesAsleep?: unknown;
  startTime?: unknown;
  endTime?: unknown;
}

/** One record per `dateOfSleep` from its main sleep; naps are ignored, and so is the order of entries. */
function sleepRecords(body: unknown): DailyRecord[] {
  const entries = (body as { sleep?: unknown } | null)?.sleep;
  if (!Array.isArray(entries)) throw new MalformedFitbitBody('sleep');
  const mainByDate = new Map<string, SleepEntry>();
  for (const entry of entries as SleepEntry[]) {
    if (entry?.isMainSleep !== true || typeof entry.dateOfSleep !== 'string' || !isCount(entry.minutesAsleep)) continue;
    // Fitbit marks one main sleep a day; should two ever share a date, the longer one is the night's sleep.
    const other = mainByDate.get(entry.dateOfSleep);
    if (!other || (entry.minutesAsleep as number) > (other.minutesAsleep as number)) mainByDate.set(entry.dateOfSleep, entry);
  }
  return [...mainByDate.entries()].map(([date, entry]) => {
    const fields: Record<string, FieldValue> = { sleepLength: hoursAndMinutes(entry.minutesAsleep as number) };
    const bedTime = wallClockTime(entry.startTime);
    const wakeUpTime = wallClockTime(entry.endTime);
    if (bedTime !== null) fields.bedTime = bedTime;
    if (wakeUpTime !== null) fields.wakeUpTime = wakeUpTime;
    return { date, fields };
  });
}

/** Minutes as zero-padded `HH:MM`; hours are not capped at 23. */
export function hoursAndMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `HH:MM` of a `YYYY-MM-DDTHH:MM:SS.sss` local timestamp, seconds truncated; null when it is not one. */
export function wallClockTime(timestamp: unknown): string | null {
  if (typeof timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(timestamp)) return null;
  return timestamp.slice(11, 16);
}

function series(body: unknown, key: string, resource: string): Array<{ dateTime: string; value: unknown }> {
  const entries = (body as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(entries)) throw new MalformedFitbitBody(resource);
  return entries.filter(
    (entry): entry is { dateTime: string; value: unknown } => typeof entry?.dateTime === 'string',
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Records of several resources merged into one per day, in date order. */
export function mergeRecords(lists: readonly DailyRecord[][]): DailyRecord[] {
  const byDate = new Map<string, DailyRecord['fields']>();
  for (const record of lists.flat()) byDate.set(record.date, { ...byDate.get(record.date), ...record.fields });
  return [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, fields]) => ({ date, fields }));
}
