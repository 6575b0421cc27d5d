import { bars, chartNumber, niceCeiling } from '../src/chart-scale';
import { lastDays } from '../src/format';

describe('metric values on a chart', () => {
  it.each([
    [8423, 'number', 8423],
    ['07:30', 'duration', 7.5],
    ['23:15', 'time', 23.25],
    [true, 'boolean', 1],
    [false, 'boolean', 0],
    ['great', 'text', null],
    ['7h', 'duration', null],
    [undefined, 'number', null],
  ] as const)('%p as %s charts at %p', (value, type, expected) => {
    expect(chartNumber(value, type)).toBe(expected);
  });

  it.each([
    [0, 1],
    [0.3, 0.5],
    [7, 10],
    [8423, 10000],
    [12001, 20000],
    [230, 250],
  ])('an axis for a highest value of %p tops at %p', (max, ceiling) => {
    expect(niceCeiling(max)).toBeCloseTo(ceiling);
  });

  it('draws one bar per day with a value, scaled to the axis, none for a missing day', () => {
    const drawn = bars([5, null, 10], 300, 100, 10);

    expect(drawn.map((bar) => bar.index)).toEqual([0, 2]);
    expect(drawn[0]).toMatchObject({ y: 50, height: 50 });
    expect(drawn[1]).toMatchObject({ y: 0, height: 100 });
    expect(drawn[1].x + drawn[1].width).toBeLessThanOrEqual(300);
  });

  it('charts the 30 days ending today, across a month end', () => {
    const days = lastDays(30, new Date(2025, 2, 13));
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2025-02-12');
    expect(days[29]).toBe('2025-03-13');
  });
});
