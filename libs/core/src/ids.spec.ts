import { deterministicEventId, newCorrelationId, newEventId } from './ids';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  it.each([
    ['newEventId', newEventId],
    ['newCorrelationId', newCorrelationId],
  ])('%s returns a fresh random (v4) uuid each time', (_name, generate) => {
    const ids = new Set(Array.from({ length: 100 }, () => generate()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(UUID.exec(id)?.[1]).toBe('4');
  });

  it('deterministicEventId is a v5-layout uuid', () => {
    expect(UUID.exec(deterministicEventId('cmd-1', 0))?.[1]).toBe('5');
  });

  it.each([
    { pair: 'the same command and index', a: ['cmd-1', 0], b: ['cmd-1', 0], same: true },
    { pair: 'the same command, another index', a: ['cmd-1', 0], b: ['cmd-1', 1], same: false },
    { pair: 'another command, the same index', a: ['cmd-1', 0], b: ['cmd-2', 0], same: false },
    { pair: 'names that would collide if concatenated', a: ['cmd-1', 11], b: ['cmd-11', 1], same: false },
  ] as Array<{ pair: string; a: [string, number]; b: [string, number]; same: boolean }>)(
    'deterministicEventId for $pair gives the same id: $same',
    ({ a, b, same }) => {
      expect(deterministicEventId(...a) === deterministicEventId(...b)).toBe(same);
    },
  );

  it('deterministicEventId never changes across releases', () => {
    // A command retried after an upgrade must reproduce the ids appended before it.
    expect(deterministicEventId('fixed', 3)).toBe('d9630bd5-31c2-5069-990f-ebfef71ca4a4');
  });

  it.each([-1, 1.5, Number.NaN])('deterministicEventId refuses the index %p', (index) => {
    expect(() => deterministicEventId('cmd', index)).toThrow(RangeError);
  });
});
