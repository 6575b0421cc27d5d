import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FITBIT_RESOURCES, hoursAndMinutes, MalformedFitbitBody, mergeRecords, wallClockTime } from './fitbit-mapping';

const FIXTURES = join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'fitbit');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
const resource = (name: string) => FITBIT_RESOURCES.find((candidate) => candidate.name === name)!;

describe('Fitbit mapping', () => {
  it('maps the fixtures to the values of the fixture README, day by day', () => {
    const records = mergeRecords([
      resource('sleep').records(fixture('sleep_range')),
      resource('steps').records(fixture('steps_range')),
      resource('heart').records(fixture('heart_range')),
      resource('activeZoneMinutes').records(fixture('azm_range')),
    ]);
    expect(records).toEqual([
      {
        date: '2025-03-10',
        fields: { sleepLength: '07:01', bedTime: '23:12', wakeUpTime: '06:58', steps: 8423, restingHeartRate: 58, activeZoneMinutes: 34 },
      },
      {
        date: '2025-03-11',
        fields: { sleepLength: '06:05', bedTime: '00:47', wakeUpTime: '07:30', steps: 12057, restingHeartRate: 61, activeZoneMinutes: 54 },
      },
      { date: '2025-03-12', fields: { steps: 0 } },
      {
        date: '2025-03-13',
        fields: { sleepLength: '10:02', bedTime: '22:30', wakeUpTime: '09:15', steps: 5310, restingHeartRate: 57, activeZoneMinutes: 8 },
      },
    ]);
  });

  it('takes the main sleep only, whatever the order of the entries', () => {
    const body = fixture('sleep_range') as { sleep: unknown[] };
    const reversed = resource('sleep').records({ sleep: [...body.sleep].reverse() });
    expect(reversed.find((record) => record.date === '2025-03-11')?.fields).toEqual({ sleepLength: '06:05', bedTime: '00:47', wakeUpTime: '07:30' });
  });

  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [365, '06:05'],
    [602, '10:02'],
    [1505, '25:05'],
  ])('writes %i minutes as %s', (minutes, text) => {
    expect(hoursAndMinutes(minutes)).toBe(text);
  });

  it('slices wall-clock times, truncating seconds and ignoring any time zone', () => {
    expect(wallClockTime('2025-03-09T23:12:30.000')).toBe('23:12');
    expect(wallClockTime('2025-03-10T06:58:59.999')).toBe('06:58');
    expect(wallClockTime('not a time')).toBeNull();
  });

  it('writes nothing for a resting heart rate Fitbit left out, and keeps a real 0 of steps', () => {
    const heart = resource('heart').records({ 'activities-heart': [{ dateTime: '2025-03-12', value: { heartRateZones: [] } }] });
    const steps = resource('steps').records({ 'activities-steps': [{ dateTime: '2025-03-12', value: '0' }] });
    expect(heart).toEqual([]);
    expect(steps).toEqual([{ date: '2025-03-12', fields: { steps: 0 } }]);
  });

  it('refuses an answer without the documented list', () => {
    expect(() => resource('steps').records({ error: 'nope' })).toThrow(MalformedFitbitBody);
    expect(() => resource('sleep').records(null)).toThrow(MalformedFitbitBody);
  });
});
