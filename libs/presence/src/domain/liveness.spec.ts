import { judgeLiveness, type LivenessInputs } from './liveness';

const rules = { graceMs: 10_000, remoteRecheckMs: 300_000 };
const inputs = (overrides: Partial<LivenessInputs>): LivenessInputs => ({
  now: 1_000_000,
  localSockets: 0,
  remoteSockets: 0,
  heartbeatUntil: null,
  socketClosedAt: null,
  ...overrides,
});

describe('judgeLiveness', () => {
  it('keeps a user with an open socket online with nothing to wait for', () => {
    expect(judgeLiveness(inputs({ localSockets: 1, heartbeatUntil: 1 }), rules)).toEqual({ live: true, recheckAt: null });
  });

  it('checks a user held by another process again later', () => {
    expect(judgeLiveness(inputs({ remoteSockets: 2 }), rules)).toEqual({ live: true, recheckAt: 1_300_000 });
  });

  it('holds a user until the later of the heartbeat lease and the grace after the last socket', () => {
    expect(judgeLiveness(inputs({ heartbeatUntil: 1_200_000, socketClosedAt: 995_000 }), rules)).toEqual({ live: true, recheckAt: 1_200_000 });
    expect(judgeLiveness(inputs({ heartbeatUntil: 1_000_500, socketClosedAt: 995_000 }), rules)).toEqual({ live: true, recheckAt: 1_005_000 });
  });

  it('names the hold that ended last as the reason for going offline', () => {
    expect(judgeLiveness(inputs({ heartbeatUntil: 999_000 }), rules)).toEqual({ live: false, reason: 'timeout' });
    expect(judgeLiveness(inputs({ socketClosedAt: 980_000 }), rules)).toEqual({ live: false, reason: 'disconnect' });
    expect(judgeLiveness(inputs({ socketClosedAt: 980_000, heartbeatUntil: 995_000 }), rules)).toEqual({ live: false, reason: 'timeout' });
    expect(judgeLiveness(inputs({ socketClosedAt: 985_000, heartbeatUntil: 994_000 }), rules)).toEqual({ live: false, reason: 'disconnect' });
  });

  it('lets a lease run out exactly at its end, not before', () => {
    expect(judgeLiveness(inputs({ heartbeatUntil: 1_000_001 }), rules).live).toBe(true);
    expect(judgeLiveness(inputs({ heartbeatUntil: 1_000_000 }), rules).live).toBe(false);
  });
});
