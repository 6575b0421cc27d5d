import { loadConfig } from './load-config';

const base = { HERALD_ADMIN_TOKEN: 'an-operator-token-of-some-length', HERALD_CONFIG_FILE: '/nonexistent/herald.yml' };

describe('loadConfig: the SQLite event log', () => {
  it.each([
    [{}, { kind: 'sqlite', synchronous: 'FULL', fsync: 'thread-pool' }],
    [{ HERALD_SQLITE_FSYNC: 'commit' }, { kind: 'sqlite', synchronous: 'FULL', fsync: 'commit' }],
    [{ HERALD_SQLITE_SYNCHRONOUS: 'NORMAL' }, { kind: 'sqlite', synchronous: 'NORMAL', fsync: 'thread-pool' }],
  ])('reads %j as %j', (env, expected) => {
    expect(loadConfig({ ...base, ...env }, '/tmp').eventStore).toEqual(expected);
  });

  it('refuses an fsync placement it does not know, naming the setting and its choices', () => {
    expect(() => loadConfig({ ...base, HERALD_SQLITE_FSYNC: 'later' }, '/tmp')).toThrow(/HERALD_SQLITE_FSYNC.*commit.*thread-pool/);
  });
});
