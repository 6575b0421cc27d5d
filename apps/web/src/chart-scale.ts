/** Field types of a plugin's metrics (IntegrationResponse.fields[].type). */
export type MetricType = 'number' | 'duration' | 'time' | 'text' | 'boolean';

export type MetricValue = number | string | boolean;

const HOURS_MINUTES = /^(\d{1,3}):([0-5]\d)$/;

/**
 * A value as a height on a chart: numbers as they are, `HH:MM` durations and times of day as
 * hours, booleans as 0 or 1. Text has no height (null), nor does a value of the wrong shape.
 */
export function chartNumber(value: MetricValue | undefined, type: MetricType): number | null {
  if (value === undefined) return null;
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? Number(value) : null;
    case 'duration':
    case 'time': {
      const match = typeof value === 'string' ? HOURS_MINUTES.exec(value) : null;
      return match ? Number(match[1]) + Number(match[2]) / 60 : null;
    }
    case 'text':
      return null;
  }
}

export function isChartable(type: MetricType): boolean {
  return type !== 'text';
}

/** The top of the axis: the smallest 1, 2, 2.5 or 5 times a power of ten that holds `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

export interface Bar {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bars for the values (null: no bar) across `width`, growing up from `height`, scaled to `ceiling`. */
export function bars(values: Array<number | null>, width: number, height: number, ceiling: number): Bar[] {
  const slot = width / Math.max(values.length, 1);
  const barWidth = Math.max(slot * 0.7, 1);
  const result: Bar[] = [];
  values.forEach((value, index) => {
    if (value === null) return;
    const barHeight = (Math.max(value, 0) / ceiling) * height;
    result.push({ index, x: index * slot + (slot - barWidth) / 2, y: height - barHeight, width: barWidth, height: barHeight });
  });
  return result;
}
