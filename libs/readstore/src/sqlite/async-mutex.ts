/**
 * A FIFO lock for async work in one process. Releasing hands the lock straight to the next waiter,
 * so `locked` is false only when nobody holds or waits for it, and a synchronous step may then run
 * at once without taking it: nothing can interleave with synchronous code.
 */
export class AsyncMutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.held;
  }

  async run<R>(work: () => R | Promise<R>): Promise<R> {
    if (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.held = true;
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    }
  }
}
