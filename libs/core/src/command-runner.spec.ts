import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore, WrongExpectedRevision } from '@herald/eventstore';
import { ManualClock } from './clock';
import type { CommandContext } from './command-context';
import { CommandRunner } from './command-runner';
import type { Decider, DomainEvent } from './decider';
import { ConcurrencyConflict, InvalidInput } from './errors';
import { testEvent } from './testing';

type CounterCommand = { type: 'Increment' } | { type: 'IncrementTwice' } | { type: 'IncrementIfZero' } | { type: 'Decrement' } | { type: 'Noop' };
type Incremented = DomainEvent<'Incremented', { from: number; to: number }>;
type Decremented = DomainEvent<'Decremented', { from: number; to: number }>;
type CounterEvent = Incremented | Decremented;

/** A counter whose events say which value they were decided on, so a decision on stale state shows. */
const counter: Decider<CounterCommand, CounterEvent, { count: number }> = {
  initialState: () => ({ count: 0 }),
  evolve: (_state, event) => ({ count: event.data.to }),
  decide: (command, { count }) => {
    switch (command.type) {
      case 'Increment':
        return [{ type: 'Incremented', data: { from: count, to: count + 1 } }];
      case 'IncrementTwice':
        return [
          { type: 'Incremented', data: { from: count, to: count + 1 } },
          { type: 'Incremented', data: { from: count + 1, to: count + 2 } },
        ];
      case 'IncrementIfZero':
        return count === 0 ? [{ type: 'Incremented', data: { from: 0, to: 1 } }] : [];
      case 'Decrement':
        if (count === 0) throw new InvalidInput('The counter is already at zero.');
        return [{ type: 'Decremented', data: { from: count, to: count - 1 } }];
      case 'Noop':
        return [];
    }
  },
};

const context: CommandContext = { source: 'rest', actorId: 'alice', correlationId: 'corr-1', guildId: '42' };
const STREAM = 'counter-1';

describe('CommandRunner', () => {
  let dir: string;
  let store: EventStore;
  let clock: ManualClock;
  let runner: CommandRunner;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-command-runner-'));
    store = createSqliteEventStore({ path: join(dir, 'events.sqlite') });
    clock = new ManualClock('2025-05-01T10:00:00.000Z');
    runner = new CommandRunner(store, clock);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (command: CounterCommand, extra: { commandId?: string; maxRetries?: number } = {}) =>
    runner.run({ streamId: STREAM, decider: counter, command, context, ...extra });
  const storedData = async () => (await store.readStream(STREAM)).map((e) => ({ type: e.type, ...e.data }));

  it('appends the decided events with the context, the clock time and the schema version as metadata', async () => {
    const result = await run({ type: 'Increment' });

    const [event] = await store.readStream(STREAM);
    expect(event).toMatchObject({
      type: 'Incremented',
      data: { from: 0, to: 1 },
      metadata: {
        source: 'rest',
        actorId: 'alice',
        correlationId: 'corr-1',
        guildId: '42',
        occurredAt: '2025-05-01T10:00:00.000Z',
        schemaVersion: 1,
      },
    });
    expect(Object.keys(event.metadata)).not.toContain('userId');
    expect(result).toMatchObject({ state: { count: 1 }, nextExpectedRevision: 0, position: event.position });
    expect(result.events.map((e) => e.id)).toEqual([event.id]);
  });

  it('decides on everything already in the stream', async () => {
    await run({ type: 'IncrementTwice' });
    const result = await run({ type: 'Decrement' });

    expect(await storedData()).toEqual([
      { type: 'Incremented', from: 0, to: 1 },
      { type: 'Incremented', from: 1, to: 2 },
      { type: 'Decremented', from: 2, to: 1 },
    ]);
    expect(result.nextExpectedRevision).toBe(2);
  });

  it('appends nothing for an empty decision', async () => {
    const result = await run({ type: 'Noop' });

    expect(await store.headPosition()).toBeNull();
    expect(result).toEqual({ events: [], state: { count: 0 }, nextExpectedRevision: 'no_stream', position: null });
  });

  it('appends nothing when a rule refuses the command', async () => {
    await expect(run({ type: 'Decrement' })).rejects.toBeInstanceOf(InvalidInput);
    expect(await store.headPosition()).toBeNull();
  });

  it('reloads and decides again when another writer got there first, so both commands count', async () => {
    const conflicts = countConflicts(store);
    runner = new CommandRunner(conflicts.store, clock);

    const results = await Promise.all([run({ type: 'Increment' }), run({ type: 'Increment' })]);

    expect(conflicts.count()).toBeGreaterThanOrEqual(1);
    expect(await storedData()).toEqual([
      { type: 'Incremented', from: 0, to: 1 },
      { type: 'Incremented', from: 1, to: 2 },
    ]);
    expect(results.map((r) => r.state.count).sort()).toEqual([1, 2]);
  });

  it('gives up with ConcurrencyConflict when the stream keeps changing, appending nothing of its own', async () => {
    const busy = withRivalWriter(store);
    runner = new CommandRunner(busy, clock);

    await expect(run({ type: 'Increment' }, { maxRetries: 2 })).rejects.toBeInstanceOf(ConcurrencyConflict);
    const stored = await store.readStream(STREAM);
    expect(stored).toHaveLength(3);
    expect(stored.every((e) => e.metadata.actorId === 'rival')).toBe(true);
  });

  it('appends nothing new when a command is retried with the same command id', async () => {
    const first = await run({ type: 'IncrementTwice' }, { commandId: 'cmd-1' });
    clock.advance(60_000);
    const retry = await run({ type: 'IncrementTwice' }, { commandId: 'cmd-1' });

    expect(await storedData()).toHaveLength(2);
    expect(retry.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(retry).toMatchObject({ state: { count: 2 }, nextExpectedRevision: 1, position: first.position });
  });

  it('appends nothing new for a retry that arrives after other commands', async () => {
    await run({ type: 'Increment' }, { commandId: 'cmd-1' });
    await run({ type: 'Increment' }, { commandId: 'cmd-2' });
    await run({ type: 'Increment' }, { commandId: 'cmd-1' });

    expect(await storedData()).toEqual([
      { type: 'Incremented', from: 0, to: 1 },
      { type: 'Incremented', from: 1, to: 2 },
    ]);
  });

  describe('reusing the state it folded', () => {
    it('reads nothing for a command on a stream it appended to last, and decides on all of it', async () => {
      const reads = countEventsRead(store);
      runner = new CommandRunner(reads.store, clock);
      for (let i = 0; i < 50; i++) await run({ type: 'Increment' });
      const before = reads.count();

      await run({ type: 'Increment' });

      expect(reads.count() - before).toBe(0);
      expect((await storedData()).at(-1)).toEqual({ type: 'Incremented', from: 50, to: 51 });
    });

    it('reads only the events since, after another writer appended', async () => {
      const reads = countEventsRead(store);
      runner = new CommandRunner(reads.store, clock);
      for (let i = 0; i < 50; i++) await run({ type: 'Increment' });
      await store.append(STREAM, [testEvent('Incremented', { from: 50, to: 60 })], { expectedRevision: 49 });
      const before = reads.count();

      await run({ type: 'Increment' });

      expect(reads.count() - before).toBe(2);
      expect((await storedData()).at(-1)).toEqual({ type: 'Incremented', from: 60, to: 61 });
    });

    it('checks an empty decision against the stream, which another writer may have changed', async () => {
      await run({ type: 'Increment' });
      await store.append(STREAM, [testEvent('Decremented', { from: 1, to: 0 })], { expectedRevision: 0 });

      const result = await run({ type: 'IncrementIfZero' });

      expect(result.events).toHaveLength(1);
      expect((await storedData()).at(-1)).toEqual({ type: 'Incremented', from: 0, to: 1 });
    });

    it('checks a refusal against the stream, which another writer may have changed', async () => {
      await run({ type: 'Increment' });
      await run({ type: 'Decrement' });
      await store.append(STREAM, [testEvent('Incremented', { from: 0, to: 5 })], { expectedRevision: 1 });

      await run({ type: 'Decrement' });

      expect((await storedData()).at(-1)).toEqual({ type: 'Decremented', from: 5, to: 4 });
    });

    it('folds in what another writer appended since', async () => {
      await run({ type: 'Increment' });
      await store.append(STREAM, [testEvent('Incremented', { from: 1, to: 7 })], { expectedRevision: 0 });

      const result = await run({ type: 'Increment' });

      expect(result.state).toEqual({ count: 8 });
      expect((await storedData()).at(-1)).toEqual({ type: 'Incremented', from: 7, to: 8 });
    });

    it('decides on the empty stream a deletion left, not on what it remembered', async () => {
      await run({ type: 'IncrementTwice' });
      await store.deleteStream(STREAM);

      await expect(run({ type: 'Decrement' })).rejects.toBeInstanceOf(InvalidInput);
    });

    it('folds the current state for readers, with what another writer appended since its last command', async () => {
      expect(await runner.fold(STREAM, counter)).toEqual({ state: { count: 0 }, revision: 'no_stream' });
      await run({ type: 'IncrementTwice' });
      await store.append(STREAM, [testEvent('Incremented', { from: 2, to: 9 })], { expectedRevision: 1 });

      expect(await runner.fold(STREAM, counter)).toEqual({ state: { count: 9 }, revision: 2 });
    });

    it('keeps a state per decider when two deciders fold one stream', async () => {
      const parity: Decider<{ type: 'Flip' }, CounterEvent, { even: boolean }> = {
        initialState: () => ({ even: true }),
        evolve: (_state, event) => ({ even: event.data.to % 2 === 0 }),
        decide: (_command, { even }) => [{ type: 'Incremented', data: { from: even ? 0 : 1, to: even ? 1 : 2 } }],
      };
      await run({ type: 'IncrementTwice' });
      await runner.run({ streamId: STREAM, decider: parity, command: { type: 'Flip' }, context });

      expect((await run({ type: 'Increment' })).state).toEqual({ count: 2 });
    });
  });

  it('appends a command once when its retry races the original', async () => {
    await Promise.all([run({ type: 'Increment' }, { commandId: 'cmd-1' }), run({ type: 'Increment' }, { commandId: 'cmd-1' })]);
    expect(await storedData()).toEqual([{ type: 'Incremented', from: 0, to: 1 }]);
  });
});

/** The store, counting the appends refused for a stale expected revision. */
function countConflicts(store: EventStore): { store: EventStore; count: () => number } {
  let conflicts = 0;
  const counting: EventStore = Object.create(store);
  counting.append = async (...args) => {
    try {
      return await store.append(...args);
    } catch (error) {
      if (error instanceof WrongExpectedRevision) conflicts++;
      throw error;
    }
  };
  return { store: counting, count: () => conflicts };
}

/** The store, counting the events its `readStream` returned. */
function countEventsRead(store: EventStore): { store: EventStore; count: () => number } {
  let read = 0;
  const counting: EventStore = Object.create(store);
  counting.readStream = async (...args) => {
    const events = await store.readStream(...args);
    read += events.length;
    return events;
  };
  return { store: counting, count: () => read };
}

/** The store, with another writer appending to the stream just before each of our appends. */
function withRivalWriter(store: EventStore): EventStore {
  const busy: EventStore = Object.create(store);
  busy.append = async (streamId, events, options) => {
    await store.append(
      streamId,
      [
        testEvent('Incremented', { from: -1, to: -1 }, { actorId: 'rival', correlationId: 'rival' }),
      ],
      { expectedRevision: 'any' },
    );
    return store.append(streamId, events, options);
  };
  return busy;
}
