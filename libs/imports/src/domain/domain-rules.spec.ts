import { addDays, daysInRange, isIsoDate, localDate, syncWindow } from './dates';
import { metricDays, metricsCsv } from './metric-table';
import { KNOWN_VALUES_HORIZON_DAYS, knownValueKey, rememberValues } from './metric-values';
import { authorizeUrl, codeChallenge } from './oauth';

describe('dates', () => {
  it.each([
    ['2025-03-10', true],
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2025-13-01', false],
    ['2025-3-1', false],
    [20250310, false],
  ])('%p is a calendar date: %p', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });

  it('counts and moves days in UTC arithmetic, across month ends and DST changes', () => {
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addDays('2025-03-29', 2)).toBe('2025-03-31');
    expect(daysInRange('2025-03-10', '2025-03-13')).toBe(4);
    expect(daysInRange('2025-01-01', '2025-04-10')).toBe(100);
  });

  it("takes today in the user's time zone: a sync window is today and the six days before", () => {
    const at = new Date('2025-03-10T23:30:00Z');
    expect(localDate(at, 'UTC')).toBe('2025-03-10');
    expect(localDate(at, 'Europe/Berlin')).toBe('2025-03-11');
    expect(localDate(at, 'America/Los_Angeles')).toBe('2025-03-10');
    expect(localDate(at, 'Not/AZone')).toBe('2025-03-10');
    expect(syncWindow(at, 'Europe/Berlin')).toEqual({ startDate: '2025-03-05', endDate: '2025-03-11' });
  });
});

describe('PKCE and the authorize URL', () => {
  it('derives the RFC 7636 test vector challenge', () => {
    expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('sends the code flow with the S256 challenge and the state', () => {
    const url = new URL(
      authorizeUrl(
        { authorizeUrl: 'https://www.fitbit.com/oauth2/authorize', tokenUrl: 'x', clientId: '23ABC', scopes: ['sleep', 'activity'], redirectUri: 'https://h.example/cb' },
        'the-state',
        'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      ),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: '23ABC',
      response_type: 'code',
      scope: 'sleep activity',
      redirect_uri: 'https://h.example/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'the-state',
    });
  });
});

describe('remembered values', () => {
  it('forgets days beyond the horizon behind the newest', () => {
    const known = rememberValues({}, [
      { date: '2025-01-01', values: { 'fitbit.steps': 1 } },
      { date: addDays('2025-01-01', KNOWN_VALUES_HORIZON_DAYS + 1), values: { 'fitbit.steps': 2 } },
    ]);
    expect(Object.keys(known)).toEqual([knownValueKey(addDays('2025-01-01', KNOWN_VALUES_HORIZON_DAYS + 1), 'fitbit.steps')]);
  });
});

describe('metric table', () => {
  const values = [
    { date: '2025-03-11', metric: 'fitbit.steps', value: 12057 },
    { date: '2025-03-10', metric: 'fitbit.sleepLength', value: '07:01' },
    { date: '2025-03-10', metric: 'fitbit.steps', value: 8423 },
  ];

  it('groups values by day in date order', () => {
    expect(metricDays(values)).toEqual([
      { date: '2025-03-10', values: { 'fitbit.sleepLength': '07:01', 'fitbit.steps': 8423 } },
      { date: '2025-03-11', values: { 'fitbit.steps': 12057 } },
    ]);
  });

  it('writes CSV with a column per metric and empty cells for missing values', () => {
    expect(metricsCsv(metricDays(values), ['fitbit.steps', 'fitbit.sleepLength'])).toBe(
      'date,fitbit.steps,fitbit.sleepLength\r\n2025-03-10,8423,07:01\r\n2025-03-11,12057,\r\n',
    );
    expect(metricsCsv([{ date: '2025-03-10', values: { 'x.note': 'a, "b"' } }])).toBe('date,x.note\r\n2025-03-10,"a, ""b"""\r\n');
  });
});
