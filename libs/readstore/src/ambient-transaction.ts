import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The transaction whose `work` is running in the current async context. A store consults it so that
 * calls made through the store itself from inside `work` (a nested `transaction`, a root handle)
 * join that transaction: on SQLite they would otherwise wait for the lock `work` holds, forever.
 */
export interface AmbientTransaction<S> {
  /** The store that started it: another store's transaction is not joined. */
  readonly owner: object;
  readonly session: S;
  /** False once committed or rolled back: a session used after that fails, a store call runs on its own. */
  open: boolean;
}

const ambient = new AsyncLocalStorage<AmbientTransaction<unknown>>();

export function ambientTransaction<S>(owner: object): AmbientTransaction<S> | undefined {
  const transaction = ambient.getStore();
  return transaction !== undefined && transaction.owner === owner && transaction.open
    ? (transaction as AmbientTransaction<S>)
    : undefined;
}

export function runInTransaction<S, R>(transaction: AmbientTransaction<S>, work: () => R): R {
  return ambient.run(transaction, work);
}
