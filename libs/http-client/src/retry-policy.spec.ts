import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterMs } from './retry-policy';

describe('retry policy', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
  ])('status %i is retryable: %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  it.each([
    [{ 'retry-after': '30' }, null, 'seconds', 30_000],
    [{ 'retry-after': '1.5' }, null, 'seconds', 1_500],
    [{ 'retry-after': 'Sun, 22 Nov 2026 00:00:10 GMT' }, null, 'seconds', 10_000],
    [{ 'retry-after': 'Sun, 21 Nov 2026 00:00:00 GMT' }, null, 'seconds', 0],
    [{}, { retry_after: 0.25 }, 'seconds', 250],
    [{}, { retry_after: 334 }, 'milliseconds', 334],
    [{ 'retry-after': '2' }, { retry_after: 9 }, 'seconds', 2_000],
    [{}, { retry_after: 'soon' }, 'seconds', undefined],
    [{ 'retry-after': 'whenever' }, null, 'seconds', undefined],
    [{}, null, 'seconds', undefined],
  ] as const)('hint %j / body %j (%s) asks for %s ms', (headers, body, unit, expected) => {
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(retryAfterMs(headers, body, unit, now)).toBe(expected);
  });

  it.each([
    [0, 0.999, 249],
    [1, 0.5, 250],
    [3, 1, 2_000],
    [10, 0.999, 14_985],
    [2, 0, 0],
  ])('attempt %i with random %f waits %i ms (full jitter, capped)', (attempt, random, expected) => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, attempt, () => random)).toBe(expected);
  });
});
