import { addDays, isIsoDate } from './dates';
import type { DayValues } from './events';
import { type DailyRecord, type FieldValue, metricKey } from './plugin';

/** Imported values remembered per integration (`date|metric` → value) to tell a change from a re-import. */
export type KnownValues = Readonly<Record<string, FieldValue>>;

/**
 * How far back from the newest imported day values are remembered. Scheduled syncs read a week;
 * an older day imported again is recorded again, which changes no stored value.
 */
export const KNOWN_VALUES_HORIZON_DAYS = 35;

export function knownValueKey(date: string, metric: string): string {
  return `${date}|${metric}`;
}

/** A value worth storing: a finite number, a non-empty string, a boolean. Nothing else is ever written. */
export function isStorableValue(value: unknown): value is FieldValue {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '') || typeof value === 'boolean';
}

/**
 * The values of `records` that differ from `known`, grouped by day in date order. Only days
 * within `range` and fields the plugin offers count; an absent or empty value is no value, so it
 * never replaces a stored one.
 */
export function changedValues(
  pluginId: string,
  offeredFields: readonly string[],
  range: { startDate: string; endDate: string },
  records: readonly DailyRecord[],
  known: KnownValues,
): DayValues[] {
  const offered = new Set(offeredFields);
  const byDate = new Map<string, Record<string, FieldValue>>();
  for (const record of records) {
    if (!isIsoDate(record.date) || record.date < range.startDate || record.date > range.endDate) continue;
    for (const [fieldId, value] of Object.entries(record.fields)) {
      if (!offered.has(fieldId) || !isStorableValue(value)) continue;
      const metric = metricKey(pluginId, fieldId);
      if (known[knownValueKey(record.date, metric)] === value) continue;
      const day = byDate.get(record.date) ?? {};
      day[metric] = value;
      byDate.set(record.date, day);
    }
  }
  return [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, values]) => ({ date, values }));
}

/** `known` with `days` applied, forgetting days older than the horizon behind the newest day known. */
export function rememberValues(known: KnownValues, days: readonly DayValues[]): KnownValues {
  const next: Record<string, FieldValue> = { ...known };
  for (const day of days) for (const [metric, value] of Object.entries(day.values)) next[knownValueKey(day.date, metric)] = value;
  const newest = Object.keys(next).reduce((max, key) => (key > max ? key : max), '').slice(0, 10);
  if (newest === '') return next;
  const oldestKept = addDays(newest, -KNOWN_VALUES_HORIZON_DAYS);
  for (const key of Object.keys(next)) if (key.slice(0, 10) < oldestKept) delete next[key];
  return next;
}
