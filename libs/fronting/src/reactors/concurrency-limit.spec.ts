import { ConcurrencyLimit } from './concurrency-limit';

/** A task that runs until `finish()` is called, recording when it started. */
function heldTask(started: string[], name: string) {
  let finish!: (value: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return { run: () => (started.push(name), done), finish: () => finish(name) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs no more than the limit at once and starts the waiting ones in order as slots free up', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => heldTask(started, name));
    const results = tasks.map((task) => limit.run(task.run));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect([limit.active, limit.queued]).toEqual([2, 2]);

    tasks[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);

    tasks[0].finish();
    tasks[2].finish();
    tasks[3].finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect([limit.active, limit.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a task that failed, and passes its error to the caller', async () => {
    const limit = new ConcurrencyLimit(1);
    const failing = limit.run(async () => {
      throw new Error('upstream down');
    });
    const next = limit.run(async () => 'ran');
    await expect(failing).rejects.toThrow('upstream down');
    await expect(next).resolves.toBe('ran');
    expect(limit.active).toBe(0);
  });

  it('hands a freed slot on without waiting for a timer', async () => {
    // With timers frozen, a limiter that waited for one would never start the second task.
    jest.useFakeTimers();
    try {
      const limit = new ConcurrencyLimit(1);
      const order: string[] = [];
      const first = limit.run(async () => void order.push('first'));
      const second = limit.run(async () => void order.push('second'));
      await Promise.all([first, second]);
      expect(order).toEqual(['first', 'second']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
    expect(() => new ConcurrencyLimit(1.5)).toThrow(RangeError);
  });
});
