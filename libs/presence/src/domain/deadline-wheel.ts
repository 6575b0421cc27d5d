/**
 * Per-key deadlines in buckets of `resolutionMs`: scheduling, moving and cancelling a key are O(1),
 * and `takeDue` visits only the buckets that are due, never every key. A key is due no earlier than
 * its deadline and at most one resolution after it. There is no timer inside: the owner calls
 * `takeDue` with its own clock's time, so tests move time by hand.
 */
export class DeadlineWheel {
  private readonly bucketOfKey = new Map<string, number>();
  private readonly buckets = new Map<number, Set<string>>();
  /** Bucket numbers in a binary min-heap; a number may linger after its bucket emptied, and is then skipped. */
  private readonly heap: number[] = [];

  constructor(private readonly resolutionMs = 1000) {
    if (!(resolutionMs > 0)) throw new RangeError('resolutionMs must be positive');
  }

  get size(): number {
    return this.bucketOfKey.size;
  }

  /** Sets the key's deadline, replacing any earlier one. */
  schedule(key: string, atMs: number): void {
    const bucket = Math.ceil(atMs / this.resolutionMs);
    const current = this.bucketOfKey.get(key);
    if (current === bucket) return;
    if (current !== undefined) this.removeFrom(current, key);
    let keys = this.buckets.get(bucket);
    if (!keys) {
      keys = new Set();
      this.buckets.set(bucket, keys);
      this.push(bucket);
    }
    keys.add(key);
    this.bucketOfKey.set(key, bucket);
  }

  cancel(key: string): void {
    const current = this.bucketOfKey.get(key);
    if (current === undefined) return;
    this.removeFrom(current, key);
    this.bucketOfKey.delete(key);
  }

  /** The time at which the key becomes due, if it has a deadline. */
  dueAt(key: string): number | undefined {
    const bucket = this.bucketOfKey.get(key);
    return bucket === undefined ? undefined : bucket * this.resolutionMs;
  }

  /** Removes and returns every key whose deadline has come by `nowMs`. */
  takeDue(nowMs: number): string[] {
    const due: string[] = [];
    const last = Math.floor(nowMs / this.resolutionMs);
    while (this.heap.length > 0 && this.heap[0] <= last) {
      const bucket = this.pop();
      const keys = this.buckets.get(bucket);
      if (!keys) continue;
      this.buckets.delete(bucket);
      for (const key of keys) {
        this.bucketOfKey.delete(key);
        due.push(key);
      }
    }
    return due;
  }

  private removeFrom(bucket: number, key: string): void {
    const keys = this.buckets.get(bucket);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.buckets.delete(bucket);
  }

  private push(value: number): void {
    const heap = this.heap;
    heap.push(value);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= heap[i]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left] < heap[smallest]) smallest = left;
        if (right < heap.length && heap[right] < heap[smallest]) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
