import type { FieldValue } from './plugin';

/** One day of the `GET /api/v1/me/metrics` answer. */
export interface MetricDay {
  date: string;
  values: Record<string, FieldValue>;
}

/** Stored values (any order) as one entry per day that has any, in date order. */
export function metricDays(values: ReadonlyArray<{ date: string; metric: string; value: FieldValue }>): MetricDay[] {
  const byDate = new Map<string, Record<string, FieldValue>>();
  for (const { date, metric, value } of values) byDate.set(date, { ...byDate.get(date), [metric]: value });
  return [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, dayValues]) => ({ date, values: dayValues }));
}

/**
 * RFC 4180 CSV: a `date` column, then one column per metric (the requested ones in their order,
 * else every metric present, sorted); an empty cell where a day has no value.
 */
export function metricsCsv(days: readonly MetricDay[], metrics?: readonly string[]): string {
  const columns = metrics ?? [...new Set(days.flatMap((day) => Object.keys(day.values)))].sort();
  const rows = [['date', ...columns], ...days.map((day) => [day.date, ...columns.map((metric) => cell(day.values[metric]))])];
  return rows.map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}

function cell(value: FieldValue | undefined): string {
  return value === undefined ? '' : String(value);
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
