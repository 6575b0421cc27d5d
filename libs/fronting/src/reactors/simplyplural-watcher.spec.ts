import type { ObservedFronter } from '../domain/events';
import { SimplyPluralWatcher, type WatcherTiming } from './simplyplural-watcher';

const ALICE: ObservedFronter = { id: 'a1', name: 'Alice', kind: 'member', pluralKitId: 'abcde' };
const TOKEN = 'x'.repeat(64);
const REJECTED = new Error('401');

/** A SimplyPlural reachable over REST only: nothing listens for the websocket, so reads come from the watcher's own triggers. */
class ScriptedSimplyPlural {
  reads = 0;
  readonly observed: ObservedFronter[][] = [];
  rejections = 0;
  /** Answers for the next reads, in order; afterwards every read succeeds at once. */
  readonly script: Array<() => Promise<ObservedFronter[]>> = [];

  ports() {
    return {
      socketUrl: 'ws://127.0.0.1:9/v1/socket',
      readFronters: async (token: string) => {
        expect(token).toBe(TOKEN);
        this.reads += 1;
        return (this.script.shift() ?? (async () => [ALICE]))();
      },
      isTokenRejection: (error: unknown) => error === REJECTED,
      observe: async (fronters: ObservedFronter[]) => {
        this.observed.push(fronters);
      },
      rejectToken: async () => {
        this.rejections += 1;
      },
    };
  }
}

const timing: WatcherTiming = { debounceMs: 20, refreshMs: 600_000, pingMs: 1_000, retryBaseMs: 10, authFailurePauseMs: 600_000 };
const quietLog = { log: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the SimplyPlural watcher of one user', () => {
  let upstream: ScriptedSimplyPlural;
  let watcher: SimplyPluralWatcher | undefined;

  beforeEach(() => {
    upstream = new ScriptedSimplyPlural();
  });
  afterEach(() => watcher?.stop());

  function start(overrides: Partial<WatcherTiming> = {}): SimplyPluralWatcher {
    watcher = new SimplyPluralWatcher('user-1', TOKEN, upstream.ports(), { ...timing, ...overrides }, quietLog);
    watcher.start();
    return watcher;
  }

  it('reads at start, and reads a burst of triggers once', async () => {
    const running = start();
    await sleep(30);
    expect(upstream.observed).toEqual([[ALICE]]);

    for (let i = 0; i < 5; i++) running.trigger();
    await sleep(80);
    expect(upstream.reads).toBe(2);
    expect(upstream.observed).toHaveLength(2);
  });

  it('reads once more after a read that triggers arrived during', async () => {
    let release!: () => void;
    upstream.script.push(() => new Promise((resolve) => (release = () => resolve([ALICE]))));
    const running = start();
    await sleep(5);
    running.trigger();
    await sleep(40);
    running.trigger();
    await sleep(40);
    expect(upstream.reads).toBe(1);

    release();
    await sleep(40);
    expect(upstream.reads).toBe(2);
    expect(upstream.observed).toHaveLength(2);
  });

  it('re-reads on its slow timer without any trigger', async () => {
    start({ refreshMs: 40 });
    await sleep(200);
    expect(upstream.reads).toBeGreaterThanOrEqual(3);
  });

  it('retries a failed read with backoff until it succeeds', async () => {
    const down = async (): Promise<ObservedFronter[]> => {
      throw new Error('simplyplural did not answer GET /v1/fronters after 3 attempts (status 503).');
    };
    upstream.script.push(down, down);
    start();
    await sleep(150);
    expect(upstream.reads).toBe(3);
    expect(upstream.observed).toEqual([[ALICE]]);
  });

  it('records a rejected token once and rests instead of reading again', async () => {
    upstream.script.push(async () => {
      throw REJECTED;
    });
    const running = start({ refreshMs: 30 });
    await sleep(30);
    for (let i = 0; i < 3; i++) running.trigger();
    await sleep(120);
    expect(upstream.rejections).toBe(1);
    expect(upstream.reads).toBe(1);
    expect(upstream.observed).toEqual([]);
  });

  it('records nothing once stopped', async () => {
    let release!: () => void;
    upstream.script.push(() => new Promise((resolve) => (release = () => resolve([ALICE]))));
    const running = start();
    await sleep(5);
    const stopped = running.stop();
    release();
    await stopped;
    running.trigger();
    await sleep(40);
    expect(upstream.observed).toEqual([]);
    expect(upstream.reads).toBe(1);
  });
});
