import type { NewEvent } from '@herald/core';
import { createSqliteEventStore } from './sqlite/sqlite-event-store';
import { readAllPages } from './read-all-pages';
import type { EventStore } from './event-store.port';
import { testEvent } from '@herald/core/testing';

const event = (type: string): NewEvent => testEvent(type);

describe('readAllPages', () => {
  let store: EventStore;
  let positions: number[];

  beforeAll(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    positions = [];
    for (let i = 0; i < 25; i += 1) {
      const { position } = await store.append(`s-${i % 3}`, [event(i % 2 === 0 ? 'Even' : 'Odd')], { expectedRevision: 'any' });
      positions.push(position);
    }
  });
  afterAll(() => store.close());

  const collect = async (options: Parameters<typeof readAllPages>[1]) => {
    const pages: number[][] = [];
    for await (const page of readAllPages(store, options)) pages.push(page.map((e) => e.position));
    return pages;
  };

  it.each([
    ['forwards from the start', { pageSize: 4 }, () => positions],
    ['backwards from the end', { pageSize: 4, direction: 'backwards' as const }, () => [...positions].reverse()],
    ['forwards after a position', { pageSize: 5, afterPosition: 0 }, () => positions],
  ])('reads %s in full pages, losing and repeating nothing', async (_, options, expected) => {
    const pages = await collect(options);
    expect(pages.flat()).toEqual(expected());
    expect(pages.slice(0, -1).every((page) => page.length === options.pageSize)).toBe(true);
  });

  it('starts strictly after afterPosition, in both directions, and filters', async () => {
    expect((await collect({ afterPosition: positions[9], pageSize: 100 })).flat()).toEqual(positions.slice(10));
    expect((await collect({ afterPosition: positions[9], direction: 'backwards', pageSize: 2 })).flat()).toEqual(positions.slice(0, 9).reverse());
    const odd = positions.filter((_, i) => i % 2 === 1);
    expect((await collect({ filter: { eventTypes: ['Odd'] }, pageSize: 3 })).flat()).toEqual(odd);
    expect((await collect({ filter: { eventTypes: ['Odd'] }, afterPosition: positions[2], pageSize: 3 })).flat()).toEqual(odd.slice(1));
  });

  it('yields nothing past the end', async () => {
    expect(await collect({ afterPosition: positions[24] })).toEqual([]);
  });
});
