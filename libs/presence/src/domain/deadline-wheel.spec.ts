import { DeadlineWheel } from './deadline-wheel';

describe('DeadlineWheel', () => {
  it('hands a key out no earlier than its deadline and at most one resolution after it', () => {
    const wheel = new DeadlineWheel(1000);
    wheel.schedule('ann', 300_200);
    expect(wheel.takeDue(300_199)).toEqual([]);
    expect(wheel.takeDue(300_999)).toEqual([]);
    expect(wheel.takeDue(301_000)).toEqual(['ann']);
    expect(wheel.takeDue(400_000)).toEqual([]);
  });

  it('moves a rescheduled key and forgets a cancelled one', () => {
    const wheel = new DeadlineWheel(1000);
    wheel.schedule('ann', 5_000);
    wheel.schedule('bob', 5_000);
    wheel.schedule('ann', 9_000);
    wheel.cancel('bob');
    expect(wheel.takeDue(6_000)).toEqual([]);
    expect(wheel.dueAt('ann')).toBe(9_000);
    expect(wheel.takeDue(9_000)).toEqual(['ann']);
    expect(wheel.size).toBe(0);
  });

  it('takes every due bucket at once, in deadline order, and leaves the rest', () => {
    const wheel = new DeadlineWheel(1000);
    const deadlines = Array.from({ length: 50 }, (_, i) => ({ key: `user${i}`, at: ((i * 37) % 50) * 1000 + 500 }));
    for (const { key, at } of deadlines) wheel.schedule(key, at);
    const due = wheel.takeDue(25_000);
    const expected = deadlines.filter((d) => d.at <= 25_000).sort((a, b) => a.at - b.at).map((d) => d.key);
    expect(due).toEqual(expected);
    expect(wheel.size).toBe(50 - expected.length);
  });

  it('keeps work proportional to what is due: a million keys far away cost nothing to a tick', () => {
    const wheel = new DeadlineWheel(1000);
    for (let i = 0; i < 1_000_000; i += 1) wheel.schedule(`user${i}`, 300_000 + (i % 1000));
    wheel.schedule('soon', 1_000);
    const started = process.hrtime.bigint();
    expect(wheel.takeDue(1_000)).toEqual(['soon']);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5);
  });
});
