import { afterFailedSignIn, OPERATOR_SIGN_IN_WINDOW_MS as WINDOW, signInLockedFor } from './sign-in-attempts';

const MINUTE = 60_000;

describe('signInLockedFor', () => {
  it.each([
    { case: 'no failure', failures: [], now: 0, wait: 0 },
    { case: 'four failures', failures: [0, 1, 2, 3].map((m) => m * MINUTE), now: 4 * MINUTE, wait: 0 },
    { case: 'five failures: until the first leaves the window', failures: [0, 1, 2, 3, 4].map((m) => m * MINUTE), now: 5 * MINUTE, wait: WINDOW - 5 * MINUTE },
    { case: 'five failures, the first just out of the window', failures: [0, 1, 2, 3, 4].map((m) => m * MINUTE), now: WINDOW, wait: 0 },
    { case: 'five failures long ago', failures: [0, 1, 2, 3, 4], now: 2 * WINDOW, wait: 0 },
  ])('$case: waits $wait ms', ({ failures, now, wait }) => {
    expect(signInLockedFor(failures, now)).toBe(wait);
  });
});

describe('afterFailedSignIn', () => {
  it.each([
    { case: 'the first', failures: [], now: 7, after: [7] },
    { case: 'older than the window drop out', failures: [0, 10], now: WINDOW + 5, after: [10, WINDOW + 5] },
    { case: 'at most the allowed count are kept', failures: [1, 2, 3, 4, 5], now: 6, after: [2, 3, 4, 5, 6] },
  ])('$case', ({ failures, now, after }) => {
    expect(afterFailedSignIn(failures, now)).toEqual(after);
  });
});
