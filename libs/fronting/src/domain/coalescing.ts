/**
 * How long observations are held back before one is posted. Fronters who flap every few seconds
 * would otherwise log a PluralKit switch per flap.
 */
export interface CoalescingWindow {
  /** Post once no newer observation has come for this long. */
  quietMs: number;
  /** ...but never hold the first pending observation longer than this, so endless flapping still posts. */
  maxDelayMs: number;
}

/**
 * A couple of seconds absorbs flapping without making a real switch feel late; ten seconds bounds
 * the wait when someone flaps without pause.
 */
export const DEFAULT_COALESCING_WINDOW: CoalescingWindow = { quietMs: 2_000, maxDelayMs: 10_000 };

export interface TimedObservation<T> {
  /** Epoch milliseconds of the observation. */
  at: number;
  value: T;
}

export type CoalescingDecision<T> =
  | { action: 'post'; value: T }
  | { action: 'wait'; untilMs: number }
  | { action: 'idle' };

/**
 * Which pending observation to post now, if any. Only the newest counts: the ones before it are
 * superseded, so a burst ends in a single switch to the final fronters. It is posted once the
 * burst has been quiet for `quietMs`, or once the oldest pending one has waited `maxDelayMs`.
 * Otherwise the answer says until when to wait.
 */
export function coalesceObservations<T>(
  pending: readonly TimedObservation<T>[],
  nowMs: number,
  window: CoalescingWindow,
): CoalescingDecision<T> {
  if (!(window.quietMs >= 0 && window.maxDelayMs >= window.quietMs)) {
    throw new Error('a coalescing window needs 0 <= quietMs <= maxDelayMs');
  }
  if (pending.length === 0) return { action: 'idle' };
  // The newest by time; of equal times, the one listed last (the later arrival).
  const newest = pending.reduce((latest, observation) => (observation.at >= latest.at ? observation : latest));
  const oldestAt = Math.min(...pending.map((observation) => observation.at));
  const quietUntil = newest.at + window.quietMs;
  const deadline = oldestAt + window.maxDelayMs;
  if (nowMs >= quietUntil || nowMs >= deadline) return { action: 'post', value: newest.value };
  return { action: 'wait', untilMs: Math.min(quietUntil, deadline) };
}
