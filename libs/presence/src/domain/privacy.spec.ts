import { followerUpdate, invisibleOnGetStream, type PresenceSnapshot, presenceSeenBy } from './privacy';

const snapshot = (overrides: Partial<PresenceSnapshot> = {}): PresenceSnapshot => ({
  status: 'in_studio',
  message: 'tracking drums',
  daw: 'Reaper',
  lastActiveAt: '2025-03-01T10:00:00.000Z',
  privacy: { showActivityStatus: true, showLastActive: true },
  ...overrides,
});
const hidden = { showActivityStatus: false, showLastActive: true };
const noLastActive = { showActivityStatus: true, showLastActive: false };

describe('presence privacy', () => {
  it.each([
    ['the owner, hidden', hidden, 'ann', { status: 'in_studio', message: 'tracking drums', daw: 'Reaper', lastActiveAt: '2025-03-01T10:00:00.000Z' }],
    ['someone else, hidden', hidden, 'bob', { status: 'offline', message: null, daw: null, lastActiveAt: null }],
    ['the operator, hidden', hidden, undefined, { status: 'offline', message: null, daw: null, lastActiveAt: null }],
    ['someone else, last activity hidden', noLastActive, 'bob', { status: 'in_studio', message: 'tracking drums', daw: 'Reaper', lastActiveAt: null }],
    ['the owner, last activity hidden', noLastActive, 'ann', { status: 'in_studio', message: 'tracking drums', daw: 'Reaper', lastActiveAt: '2025-03-01T10:00:00.000Z' }],
  ])('shows %s what the rules allow', (_who, privacy, viewerId, expected) => {
    expect(presenceSeenBy(snapshot({ privacy }), 'ann', viewerId)).toEqual(expected);
  });

  it('sends followers a change of status, message or DAW, and nothing for a hidden user', () => {
    expect(followerUpdate(snapshot(), snapshot({ daw: 'Logic Pro' }))).toMatchObject({ daw: 'Logic Pro' });
    expect(followerUpdate(snapshot({ privacy: hidden }), snapshot({ privacy: hidden, status: 'dnd' }))).toBeNull();
    expect(followerUpdate(snapshot(), snapshot({ lastActiveAt: '2025-03-01T11:00:00.000Z' }))).toBeNull();
  });

  it('sends one last offline when a user hides, and the real status when they show again', () => {
    expect(followerUpdate(snapshot(), snapshot({ privacy: hidden }))).toEqual({ status: 'offline', message: null, daw: null, lastActiveAt: null });
    expect(followerUpdate(snapshot({ privacy: hidden }), snapshot())).toMatchObject({ status: 'in_studio' });
    // Followers already see an offline user as offline: hiding changes nothing for them.
    expect(followerUpdate(snapshot({ status: 'offline', message: null, daw: null }), snapshot({ status: 'offline', message: null, daw: null, privacy: hidden }))).toBeNull();
  });

  it('makes a user invisible on GetStream while offline or hidden', () => {
    expect(invisibleOnGetStream(snapshot())).toBe(false);
    expect(invisibleOnGetStream(snapshot({ status: 'offline' }))).toBe(true);
    expect(invisibleOnGetStream(snapshot({ privacy: hidden }))).toBe(true);
  });
});
