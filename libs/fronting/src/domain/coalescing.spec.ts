import { coalesceObservations, type CoalescingWindow, DEFAULT_COALESCING_WINDOW, type TimedObservation } from './coalescing';

const WINDOW: CoalescingWindow = { quietMs: 1_000, maxDelayMs: 5_000 };
const seen = (...times: number[]): TimedObservation<string>[] => times.map((at, index) => ({ at, value: `#${index}` }));

describe('coalesceObservations', () => {
  it.each([
    { case: 'nothing pending', pending: seen(), now: 0, decision: { action: 'idle' } },
    { case: 'a single observation still fresh', pending: seen(0), now: 999, decision: { action: 'wait', untilMs: 1_000 } },
    { case: 'a single observation gone quiet', pending: seen(0), now: 1_000, decision: { action: 'post', value: '#0' } },
    {
      case: 'a burst still flapping',
      pending: seen(0, 300, 600, 900),
      now: 1_000,
      decision: { action: 'wait', untilMs: 1_900 },
    },
    {
      case: 'a burst gone quiet: only the newest is posted',
      pending: seen(0, 300, 600, 900),
      now: 1_900,
      decision: { action: 'post', value: '#3' },
    },
    {
      case: 'flapping that never stops, at the deadline of the oldest',
      pending: seen(0, 900, 1_800, 2_700, 3_600, 4_500),
      now: 5_000,
      decision: { action: 'post', value: '#5' },
    },
    {
      case: 'flapping that never stops, before the deadline',
      pending: seen(0, 900, 1_800, 2_700, 3_600, 4_500),
      now: 4_600,
      decision: { action: 'wait', untilMs: 5_000 },
    },
    {
      case: 'observations listed out of time order',
      pending: seen(900, 0, 300),
      now: 1_900,
      decision: { action: 'post', value: '#0' },
    },
    {
      case: 'two observations at the same time: the later arrival wins',
      pending: seen(500, 500),
      now: 1_500,
      decision: { action: 'post', value: '#1' },
    },
  ])('with $case, decides $decision', ({ pending, now, decision }) => {
    expect(coalesceObservations(pending, now, WINDOW)).toEqual(decision);
  });

  it('ends ten changes in two seconds with one post of the final fronters', () => {
    const changes = Array.from({ length: 10 }, (_, index) => ({ at: index * 200, value: `fronters ${index}` }));
    const decisions: string[] = [];
    for (let now = 0; now <= 5_000; now += 100) {
      const decision = coalesceObservations(changes.filter((change) => change.at <= now), now, DEFAULT_COALESCING_WINDOW);
      if (decision.action === 'post') decisions.push(decision.value);
    }
    // The caller clears what it posted; until then each tick would post the same final value.
    expect(new Set(decisions)).toEqual(new Set(['fronters 9']));
  });

  it('posts at once with a window of zero', () => {
    expect(coalesceObservations(seen(10), 10, { quietMs: 0, maxDelayMs: 0 })).toEqual({ action: 'post', value: '#0' });
  });

  it.each([
    { quietMs: -1, maxDelayMs: 10 },
    { quietMs: 10, maxDelayMs: 5 },
    { quietMs: Number.NaN, maxDelayMs: 5 },
  ])('refuses the window $quietMs/$maxDelayMs as a bug', (window) => {
    expect(() => coalesceObservations(seen(0), 0, window)).toThrow(/coalescing window/);
  });
});
