/** Wrong operator tokens one client address may send within the window before it must wait. */
export const OPERATOR_SIGN_IN_FAILURES_ALLOWED = 5;
export const OPERATOR_SIGN_IN_WINDOW_MS = 15 * 60_000;

/** When one client address sent a wrong operator token, oldest first, within the window. */
export type FailedSignIns = readonly number[];

/** How long (ms) the address must wait before it may try again: 0 when it may now. */
export function signInLockedFor(failures: FailedSignIns, now: number): number {
  const recent = withinWindow(failures, now);
  if (recent.length < OPERATOR_SIGN_IN_FAILURES_ALLOWED) return 0;
  // It may try again once the oldest of the last allowed failures leaves the window.
  return recent[recent.length - OPERATOR_SIGN_IN_FAILURES_ALLOWED] + OPERATOR_SIGN_IN_WINDOW_MS - now;
}

/** The failures after one more at `now`, older ones dropped. */
export function afterFailedSignIn(failures: FailedSignIns, now: number): FailedSignIns {
  return [...withinWindow(failures, now), now].slice(-OPERATOR_SIGN_IN_FAILURES_ALLOWED);
}

function withinWindow(failures: FailedSignIns, now: number): FailedSignIns {
  return failures.filter((at) => at > now - OPERATOR_SIGN_IN_WINDOW_MS);
}
