import { foldEvents, InvalidInput } from '@herald/core';
import type { PresenceChanged, PresenceEvent } from './events';
import { type PresenceCommand, presenceDecider, type PresenceState, type SetPresence } from './presence.decider';

const T0 = '2025-03-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function set(status: SetPresence['status'], requestedSeconds: number, extra: Partial<SetPresence> = {}): SetPresence {
  return { type: 'SetPresence', status, message: null, daw: null, requestedAt: at(requestedSeconds), receivedAt: at(requestedSeconds), ...extra };
}

/** Runs the commands one after another, as the command runner would; returns every event and the final state. */
function run(...commands: PresenceCommand[]): { events: PresenceEvent[]; state: PresenceState } {
  const events: PresenceEvent[] = [];
  let state = presenceDecider.initialState();
  for (const command of commands) {
    const decided = presenceDecider.decide(command, state);
    events.push(...decided);
    state = decided.reduce(presenceDecider.evolve, state);
  }
  return { events, state };
}

const changes = (events: PresenceEvent[]) =>
  (events.filter((e) => e.type === 'PresenceChanged') as PresenceChanged[]).map((e) => [e.data.reason, e.data.previousStatus, e.data.status]);

describe('presence decider', () => {
  it('records a chosen status with its message and DAW, trimmed, as a manual change', () => {
    const { events, state } = run(set('in_studio', 0, { message: '  tracking vocals ', daw: 'Ableton Live' }));
    expect(events).toEqual([
      {
        type: 'PresenceChanged',
        data: {
          status: 'in_studio',
          previousStatus: 'offline',
          message: 'tracking vocals',
          daw: 'Ableton Live',
          reason: 'manual',
          lastActiveAt: at(0),
          requestedAt: at(0),
        },
      },
    ]);
    expect(state).toMatchObject({ status: 'in_studio', choice: { status: 'in_studio' }, lastActiveAt: at(0) });
  });

  it('ignores a change made before the one already recorded, however late it arrives', () => {
    const newer = set('dnd', 10);
    const older = set('away', 5, { receivedAt: at(11) });
    const { events, state } = run(newer, older);
    expect(changes(events)).toEqual([['manual', 'offline', 'dnd']]);
    expect(state.status).toBe('dnd');
  });

  it('applies changes made at the same instant in the order they are decided', () => {
    expect(run(set('dnd', 10), set('away', 10)).state.status).toBe('away');
  });

  it('records nothing when the choice is what already shows', () => {
    expect(run(set('away', 1), set('away', 2)).events).toHaveLength(1);
  });

  it('refuses an unknown status, a message over 255 characters and a change dated too far ahead', () => {
    const refused = (command: SetPresence) => {
      try {
        presenceDecider.decide(command, presenceDecider.initialState());
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInput);
        return (error as InvalidInput).errors?.map((e) => e.field);
      }
      throw new Error('not refused');
    };
    expect(refused(set('sleeping' as never, 0))).toEqual(['status']);
    expect(refused(set('online', 0, { message: 'x'.repeat(256) }))).toEqual(['message']);
    expect(refused(set('online', 0, { requestedAt: at(61), receivedAt: at(0) }))).toEqual(['changedAt']);
    // Characters, not UTF-16 units: 255 emoji fit.
    expect(() => presenceDecider.decide(set('online', 0, { message: '🎹'.repeat(255) }), presenceDecider.initialState())).not.toThrow();
  });

  it('goes back to the chosen status when activity resumes after the user went offline', () => {
    const { events, state } = run(
      set('in_studio', 0, { daw: 'Bitwig' }),
      { type: 'EndPresence', reason: 'timeout', lastActiveAt: at(0), evaluatedAt: at(301) },
      { type: 'ResumePresence', at: at(400) },
    );
    expect(changes(events)).toEqual([
      ['manual', 'offline', 'in_studio'],
      ['timeout', 'in_studio', 'offline'],
      ['connect', 'offline', 'in_studio'],
    ]);
    expect(state).toMatchObject({ status: 'in_studio', daw: 'Bitwig', lastActiveAt: at(400) });
  });

  it('comes online on first activity, and stays offline when the user chose offline', () => {
    expect(changes(run({ type: 'ResumePresence', at: at(0) }).events)).toEqual([['connect', 'offline', 'online']]);
    expect(run(set('offline', 0), { type: 'ResumePresence', at: at(5) }).events.slice(1)).toEqual([]);
  });

  it('does not end a presence that changed after the liveness check saw it idle', () => {
    const { events } = run(set('online', 100), { type: 'EndPresence', reason: 'timeout', lastActiveAt: at(0), evaluatedAt: at(50) });
    expect(changes(events)).toEqual([['manual', 'offline', 'online']]);
  });

  it('ends a presence once, with the reason and the last activity seen', () => {
    const end = { type: 'EndPresence', reason: 'disconnect', lastActiveAt: at(20), evaluatedAt: at(30) } as const;
    const { events } = run(set('dnd', 0, { message: 'mixing' }), end, end);
    expect(events.slice(1)).toEqual([
      { type: 'PresenceChanged', data: { status: 'offline', previousStatus: 'dnd', message: null, daw: null, reason: 'disconnect', lastActiveAt: at(20) } },
    ]);
  });

  it('records privacy changes in full, and nothing when nothing changes', () => {
    const { events, state } = run(
      { type: 'ChangePresencePrivacy', showActivityStatus: false },
      { type: 'ChangePresencePrivacy', showActivityStatus: false },
      { type: 'ChangePresencePrivacy', showLastActive: false },
    );
    expect(events.map((e) => e.data)).toEqual([
      { showActivityStatus: false, showLastActive: true },
      { showActivityStatus: false, showLastActive: false },
    ]);
    expect(state.privacy).toEqual({ showActivityStatus: false, showLastActive: false });
  });

  it('records what GetStream was told once per value, and every failure', () => {
    const { events, state } = run(
      { type: 'RecordPresenceMirror', invisible: true },
      { type: 'RecordPresenceMirror', invisible: true },
      { type: 'RecordPresenceMirror', invisible: false, failure: { status: 400, detail: 'no such user' } },
    );
    expect(events.map((e) => e.type)).toEqual(['PresenceMirrored', 'PresenceMirrorFailed']);
    expect(state.mirroredInvisible).toBe(true);
  });

  it('folds a stream back to the state its decisions produced', () => {
    const { events, state } = run(set('away', 0, { message: 'brb' }), { type: 'ChangePresencePrivacy', showLastActive: false });
    expect(foldEvents(presenceDecider, events)).toEqual(state);
  });
});
