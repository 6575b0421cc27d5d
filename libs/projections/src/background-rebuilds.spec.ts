import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFound, type RecordedEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import { createSqliteEventStore, type EventStore } from '@herald/eventstore';
import { createSqliteReadStore, type ReadStore, type ReadStoreSession } from '@herald/readstore';
import { BackgroundRebuilds, RebuildRunning } from './background-rebuilds';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/** Counts events in one document; holds every apply while its gate is shut, so a test can catch a rebuild halfway. */
class GatedCount implements Projection {
  readonly name = 'gated-count';
  readonly filter = { eventTypes: ['Counted'] };
  readonly collections = ['gated_count'];
  private gate: Promise<void> = Promise.resolve();
  private openGate = () => undefined as void;
  reached = false;

  shut(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    this.reached = false;
  }

  open(): void {
    this.openGate();
  }

  async apply(_event: RecordedEvent, session: ReadStoreSession): Promise<void> {
    this.reached = true;
    await this.gate;
    const counts = session.global().collection<{ id: string; events: number }>('gated_count');
    const current = (await counts.get('all')) ?? { id: 'all', events: 0 };
    await counts.upsert({ id: 'all', events: current.events + 1 });
  }
}

async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('BackgroundRebuilds', () => {
  let dir: string;
  let eventStore: EventStore;
  let readStore: ReadStore;
  let projection: GatedCount;
  let runner: ProjectionRunner;
  let rebuilds: BackgroundRebuilds;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-rebuilds-'));
    eventStore = createSqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    readStore = createSqliteReadStore({ path: join(dir, 'readmodels.sqlite') });
    projection = new GatedCount();
    runner = new ProjectionRunner(eventStore, readStore, [projection]);
    rebuilds = new BackgroundRebuilds(runner);
  });

  afterEach(async () => {
    projection.open();
    await rebuilds.stop();
    await runner.stop();
    await eventStore.close();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (count: number) =>
    eventStore.append('counter-1', Array.from({ length: count }, () => testEvent('Counted', {})), { expectedRevision: 'any' });
  const counted = async () => (await readStore.global().collection<{ id: string; events: number }>('gated_count').get('all'))?.events;
  const rebuildOf = async () => (await rebuilds.overview()).find((item) => item.name === projection.name)!.rebuild;

  it('runs one rebuild of a projection at a time, and shows its progress and its end', async () => {
    await append(3);
    projection.shut();
    const started = await rebuilds.start(projection.name);
    expect(started).toEqual({ startedAt: expect.any(String), processed: 0 });
    await until('the rebuild to apply its first event', () => projection.reached);
    await expect(rebuilds.start(projection.name)).rejects.toBeInstanceOf(RebuildRunning);
    expect(await rebuildOf()).toEqual({ startedAt: started.startedAt, processed: 0 });

    projection.open();
    await until('the rebuild to finish', async () => (await rebuildOf())?.finishedAt !== undefined);
    expect(await rebuildOf()).toEqual({ startedAt: started.startedAt, processed: 3, finishedAt: expect.any(String) });
    expect(await counted()).toBe(3);
    await expect(rebuilds.start(projection.name)).resolves.toMatchObject({ processed: 0 });
  });

  it('knows only registered projections', async () => {
    await expect(rebuilds.start('nothing-by-that-name')).rejects.toBeInstanceOf(NotFound);
  });

  it('stops a rebuild between pages on shutdown; following the log then resumes from where it got to', async () => {
    await append(1_500);
    projection.shut();
    await rebuilds.start(projection.name);
    await until('the rebuild to apply its first event', () => projection.reached);

    const stopped = rebuilds.stop();
    projection.open();
    await stopped;
    expect(await rebuildOf()).toMatchObject({ processed: 1_000, error: 'Herald is shutting down', finishedAt: expect.any(String) });
    expect(await runner.isRebuilding(projection.name)).toBe(false);
    expect(await counted()).toBe(1_000);

    runner.start();
    await runner.waitUntilCaughtUp(5_000);
    expect(await counted()).toBe(1_500);
  });
});
