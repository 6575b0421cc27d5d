import type { RecordedEvent } from '@herald/core';
import type { Collection, Document, ReadStoreSession, Scope, ScopedReadStore } from '@herald/readstore';

/**
 * Where the read store cannot commit a batch atomically (MongoDB without a replica set), each scope
 * keeps the last position a projection applied to it, and writes of an event at or before that
 * position are dropped. Replaying after a crash then cannot apply an event twice to one scope.
 */
export function scopeGuardedSession(
  session: ReadStoreSession,
  projection: string,
  event: RecordedEvent,
  touched: Map<string, Scope>,
): ReadStoreSession {
  const guard = (scoped: ScopedReadStore): ScopedReadStore => {
    const key = scopeKey(scoped.scope);
    let applied: Promise<boolean> | undefined;
    const alreadyApplied = () =>
      (applied ??= session
        .getCheckpoint(projection, scoped.scope)
        .then((position) => position !== null && position >= event.position));
    const write = async (run: () => Promise<unknown>) => {
      if (await alreadyApplied()) return;
      touched.set(key, scoped.scope);
      await run();
    };
    return {
      scope: scoped.scope,
      listCollections: () => scoped.listCollections(),
      dropCollection: (name) => write(() => scoped.dropCollection(name)),
      collection<T extends Document>(name: string): Collection<T> {
        const inner = scoped.collection<T>(name);
        return {
          get: (id) => inner.get(id),
          find: (options) => inner.find(options),
          count: (filter) => inner.count(filter),
          upsert: (doc) => write(() => inner.upsert(doc)),
          patch: async (id, fields) => {
            if (await alreadyApplied()) return inner.get(id);
            touched.set(key, scoped.scope);
            return inner.patch(id, fields);
          },
          delete: async (id) => {
            if (await alreadyApplied()) return false;
            touched.set(key, scoped.scope);
            return inner.delete(id);
          },
        };
      },
    };
  };
  return {
    forGuild: (id) => guard(session.forGuild(id)),
    forUser: (id) => guard(session.forUser(id)),
    global: () => guard(session.global()),
    forScope: (scope) => guard(session.forScope(scope)),
    getCheckpoint: (name, scope) => session.getCheckpoint(name, scope),
    setCheckpoint: (name, position, scope) => session.setCheckpoint(name, position, scope),
  };
}

export function scopeKey(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.id}`;
}
