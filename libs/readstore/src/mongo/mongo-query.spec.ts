import { InvalidReadQuery } from '../errors';
import { encodeCursor, parseFindOptions } from '../find-query';
import { mongoFilter, mongoSort } from './mongo-query';
import { scopeLayout, scopeOfDatabase } from './mongo-scopes';

/** The translation to MongoDB is pure, so it is checked here even where no server runs. */
describe('MongoDB query translation', () => {
  const guild = scopeLayout('herald', { kind: 'guild', id: '123' });
  const user = scopeLayout('herald', { kind: 'user', id: 'u1' });

  it('keeps each condition’s operator and turns id into _id', () => {
    const query = parseFindOptions({
      filter: { rank: 'gold', 'stats.total': { $gte: 10, $lt: 20 }, team: { $in: [null, 'red'] }, id: { $ne: 'p1' } },
    });
    expect(mongoFilter(guild, query.conditions)).toEqual({
      $and: [
        { rank: { $eq: 'gold' } },
        { 'stats.total': { $gte: 10 } },
        { 'stats.total': { $lt: 20 } },
        { team: { $in: [null, 'red'] } },
        { _id: { $ne: 'p1' } },
      ],
    });
    expect(mongoFilter(guild, [])).toEqual({});
  });

  it('confines a user’s queries to the user’s key range and prefixes id values', () => {
    const query = parseFindOptions({ filter: { id: { $in: ['a', 'b'] }, wins: { $exists: true } } });
    expect(mongoFilter(user, query.conditions)).toEqual({
      $and: [{ _id: { $gte: 'u1:', $lt: 'u1;' } }, { _id: { $in: ['u1:a', 'u1:b'] } }, { wins: { $exists: true } }],
    });
  });

  it('continues after a cursor in sort order, null values included', () => {
    const options = { sort: [['group', 1], ['label', -1]] as Array<[string, 1 | -1]> };
    const { sort } = parseFindOptions(options);
    const cursorAt = (doc: Record<string, unknown>) => parseFindOptions({ ...options, cursor: encodeCursor(sort, doc) }).after;

    expect(mongoFilter(user, [], { sort, after: cursorAt({ id: 'm1', group: 2, label: 'b' }) })).toEqual({
      $and: [
        { _id: { $gte: 'u1:', $lt: 'u1;' } },
        {
          $or: [
            { group: { $gt: 2 } },
            { $and: [{ group: { $eq: 2 } }, { $or: [{ label: { $lt: 'b' } }, { label: null }] }] },
            { $and: [{ group: { $eq: 2 } }, { label: { $eq: 'b' } }, { _id: { $gt: 'u1:m1' } }] },
          ],
        },
      ],
    });

    expect(mongoFilter(guild, [], { sort, after: cursorAt({ id: 'm2', group: null }) })).toEqual({
      $or: [
        { group: { $ne: null } },
        { $and: [{ group: { $eq: null } }, { label: { $eq: null } }, { _id: { $gt: 'm2' } }] },
      ],
    });
  });

  it('sorts by the keys in priority order, even keys that look like numbers', () => {
    const { sort } = parseFindOptions({ sort: [['name', -1], ['2024', 1]] });
    expect([...mongoSort(sort)]).toEqual([
      ['name', -1],
      ['2024', 1],
      ['_id', 1],
    ]);
  });
});

describe('MongoDB scope layout', () => {
  it('stores a user’s documents under prefixed keys with _scope and gives them back without internal fields', () => {
    const user = scopeLayout('herald', { kind: 'user', id: 'u1' });
    expect(user.databaseName).toBe('herald_users');
    expect(user.stored({ id: 'a', n: 1 })).toEqual({ _id: 'u1:a', _scope: 'u1', n: 1 });
    expect(user.document({ _id: 'u1:a', _scope: 'u1', n: 1 })).toEqual({ id: 'a', n: 1 });
  });

  it('gives each guild its own database and the global scope one more', () => {
    const guild = scopeLayout('herald', { kind: 'guild', id: '123' });
    expect(guild.databaseName).toBe('herald_guild_123');
    expect(guild.stored({ id: 'a', n: 1 })).toEqual({ _id: 'a', n: 1 });
    expect(guild.document({ _id: 'a', n: 1 })).toEqual({ id: 'a', n: 1 });
    expect(scopeLayout('herald', { kind: 'global' }).databaseName).toBe('herald_global');
  });

  it('refuses a guild id that would make the database name longer than MongoDB allows', () => {
    expect(() => scopeLayout('a-long-database-prefix', { kind: 'guild', id: 'x'.repeat(40) })).toThrow(InvalidReadQuery);
  });

  it('recognises the guild and global databases of its own prefix only', () => {
    expect(scopeOfDatabase('herald', 'herald_guild_123')).toEqual({ kind: 'guild', id: '123' });
    expect(scopeOfDatabase('herald', 'herald_global')).toEqual({ kind: 'global' });
    expect(scopeOfDatabase('herald', 'herald_users')).toBeUndefined();
    expect(scopeOfDatabase('herald', 'other_guild_123')).toBeUndefined();
    expect(scopeOfDatabase('herald', 'admin')).toBeUndefined();
  });
});
