import Database from 'better-sqlite3';
import { startBackgroundCheckpoints, type BackgroundCheckpoints, type WalCheckpoints } from '@herald/sqlite';
import { ambientTransaction, runInTransaction, type AmbientTransaction } from '../ambient-transaction';
import { ReadStoreUnavailable } from '../errors';
import { parseFilter, parseFindOptions } from '../find-query';
import type {
  Collection,
  Document,
  Filter,
  FindOptions,
  FindResult,
  ReadStore,
  ReadStoreSession,
  Scope,
  ScopedReadStore,
  TransactionOptions,
} from '../read-store.port';
import {
  assertCheckpointPosition,
  assertCollectionName,
  assertDocument,
  assertDocumentId,
  assertProjectionName,
  assertScope,
  patchedFields,
} from '../validation';
import { AsyncMutex } from './async-mutex';
import { openSqliteDatabase, SqliteConnection } from './sqlite-connection';

export interface SqliteReadStoreOptions {
  /** The database file (created with its directory when absent), or `:memory:`. */
  path: string;
  /** Who checkpoints the WAL (default `in-commit`, as SQLite does). */
  checkpoints?: WalCheckpoints;
}

/**
 * The embedded read store: JSON documents in one SQLite file (WAL).
 *
 * better-sqlite3 is synchronous and the write connection is shared, so writers are serialised by an
 * in-process mutex: a transaction holds it from BEGIN IMMEDIATE to COMMIT/ROLLBACK across the awaits
 * of its work, and a write outside a transaction waits for it. Reads outside a transaction only ever
 * see committed data: while a transaction holds the write connection they go to a second, read-only
 * connection; otherwise to the write connection itself, whose page cache survives its own commits
 * (a connection drops its cache whenever another one committed, which made each read of the
 * read-only connection five times dearer under steady projection writes). Another process on the
 * same file is kept out by SQLite's own lock (busy_timeout).
 *
 * `:memory:` has no second connection (each would be its own database): there, reads outside a
 * transaction wait for a running transaction to finish instead.
 */
export function createSqliteReadStore(options: SqliteReadStoreOptions): ReadStore {
  const inMemory = options.path === ':memory:' || options.path === '';
  const writer = new SqliteConnection(openSqliteDatabase(options.path, 'read-write'));
  let reader: SqliteConnection | undefined;
  if (!inMemory) {
    try {
      reader = new SqliteConnection(openSqliteDatabase(options.path, 'read-only'));
    } catch (error) {
      writer.db.close();
      throw error;
    }
  }
  return new SqliteReadStore(new SqliteConnections(writer, reader, startBackgroundCheckpoints(writer.db, options.path, options.checkpoints)));
}

/** How session operations reach a connection: at once inside a transaction, through the mutex outside. */
interface SqliteAccess {
  read<R>(work: (connection: SqliteConnection) => R): Promise<R>;
  write<R>(work: (connection: SqliteConnection) => R): Promise<R>;
}

const GLOBAL_SCOPE: Scope = Object.freeze({ kind: 'global' });

/** Scope handles a session keeps, so a projection asking for the same scope on every event builds it once. */
const MAX_CACHED_SCOPES = 1024;

class SqliteSession implements ReadStoreSession {
  private readonly scopes = new Map<string, SqliteScopedStore>();

  constructor(readonly access: SqliteAccess) {}

  forGuild(guildId: string): ScopedReadStore {
    return this.scoped(typeof guildId === 'string' ? `guild:${guildId}` : undefined, { kind: 'guild', id: guildId });
  }

  forUser(userId: string): ScopedReadStore {
    return this.scoped(typeof userId === 'string' ? `user:${userId}` : undefined, { kind: 'user', id: userId });
  }

  global(): ScopedReadStore {
    return this.scoped('global', GLOBAL_SCOPE);
  }

  forScope(scope: Scope): ScopedReadStore {
    assertScope(scope);
    return this.scoped(scopeKey(scope), scope);
  }

  /** Only valid scopes are cached, so a cache hit needs no validation. */
  private scoped(key: string | undefined, scope: Scope): SqliteScopedStore {
    const cached = key === undefined ? undefined : this.scopes.get(key);
    if (cached) return cached;
    assertScope(scope);
    const created = new SqliteScopedStore(this.access, scope);
    if (this.scopes.size >= MAX_CACHED_SCOPES) this.scopes.clear();
    this.scopes.set(created.key, created);
    return created;
  }

  getCheckpoint(projection: string, scope: Scope = GLOBAL_SCOPE): Promise<number | null> {
    return this.access.read((connection) => {
      assertProjectionName(projection);
      assertScope(scope);
      return connection.getCheckpoint(scopeKey(scope), projection);
    });
  }

  setCheckpoint(projection: string, position: number | null, scope: Scope = GLOBAL_SCOPE): Promise<void> {
    return this.access.write((connection) => {
      assertProjectionName(projection);
      assertCheckpointPosition(position);
      assertScope(scope);
      connection.setCheckpoint(scopeKey(scope), projection, position);
    });
  }
}

class SqliteScopedStore implements ScopedReadStore {
  readonly scope: Scope;
  readonly key: string;
  private readonly collections = new Map<string, SqliteCollection<Document>>();

  constructor(
    private readonly access: SqliteAccess,
    scope: Scope,
  ) {
    this.scope = Object.freeze({ ...scope });
    this.key = scopeKey(scope);
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      assertCollectionName(name);
      collection = new SqliteCollection(this.access, this.key, name);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  listCollections(): Promise<string[]> {
    return this.access.read((connection) => connection.listCollections(this.key));
  }

  dropCollection(name: string): Promise<void> {
    return this.access.write((connection) => {
      assertCollectionName(name);
      connection.dropCollection(this.key, name);
    });
  }
}

class SqliteCollection<T extends Document> implements Collection<T> {
  constructor(
    private readonly access: SqliteAccess,
    private readonly scope: string,
    private readonly name: string,
  ) {}

  get(id: string): Promise<T | null> {
    return this.access.read((connection) => {
      assertDocumentId(id);
      return connection.getDocument<T>(this.scope, this.name, id);
    });
  }

  find(options?: FindOptions): Promise<FindResult<T>> {
    return this.access.read((connection) => connection.findPage<T>(this.scope, this.name, parseFindOptions(options)));
  }

  count(filter?: Filter): Promise<number> {
    return this.access.read((connection) => connection.count(this.scope, this.name, parseFilter(filter)));
  }

  upsert(doc: T): Promise<void> {
    return this.access.write((connection) => {
      assertDocument(doc);
      connection.upsertDocument(this.scope, this.name, doc);
    });
  }

  patch(id: string, fields: Partial<T>): Promise<T | null> {
    return this.access.write((connection) => {
      assertDocumentId(id);
      return connection.patchDocument<T>(this.scope, this.name, id, patchedFields(id, fields));
    });
  }

  delete(id: string): Promise<boolean> {
    return this.access.write((connection) => {
      assertDocumentId(id);
      return connection.deleteDocument(this.scope, this.name, id);
    });
  }
}

class SqliteReadStore extends SqliteSession implements ReadStore {
  readonly atomicTransactions = true;

  constructor(private readonly connections: SqliteConnections) {
    super(connections);
  }

  async transaction<R>(work: (session: ReadStoreSession) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const joined = ambientTransaction<SqliteSession>(this.connections);
    if (joined) return work(joined.session);
    return this.connections.transaction(work, options);
  }

  listScopes(): Promise<Scope[]> {
    return this.connections.read((connection) => connection.listScopes().map(scopeFromKey));
  }

  dropScope(scope: Scope): Promise<void> {
    return this.connections.write((connection) => {
      assertScope(scope);
      connection.dropScope(scopeKey(scope));
    });
  }

  ping(): Promise<void> {
    return this.connections.read((connection) => connection.ping());
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}

/** The two connections, the writers' mutex, and the transactions run on them. */
class SqliteConnections implements SqliteAccess {
  private readonly writers = new AsyncMutex();
  private closed = false;

  constructor(
    private readonly writer: SqliteConnection,
    private readonly reader: SqliteConnection | undefined,
    private readonly checkpoints?: BackgroundCheckpoints,
  ) {}

  read<R>(work: (connection: SqliteConnection) => R): Promise<R> {
    const joined = ambientTransaction<SqliteSession>(this);
    if (joined) return joined.session.access.read(work);
    if (!this.reader) return this.write(work);
    if (this.closed) return Promise.reject(closedError());
    return runNow(work, this.writers.locked ? this.reader : this.writer);
  }

  write<R>(work: (connection: SqliteConnection) => R): Promise<R> {
    const joined = ambientTransaction<SqliteSession>(this);
    if (joined) return joined.session.access.write(work);
    if (this.closed) return Promise.reject(closedError());
    // A synchronous write cannot interleave with anything, so it only waits when a transaction holds the lock.
    if (!this.writers.locked) return runNow(work, this.writer);
    return this.writers.run(() => {
      if (this.closed) throw closedError();
      return runNow(work, this.writer);
    });
  }

  transaction<R>(work: (session: ReadStoreSession) => Promise<R>, options: TransactionOptions): Promise<R> {
    if (this.closed) return Promise.reject(closedError());
    return this.writers.run(async () => {
      if (this.closed) throw closedError();
      const transaction = new SqliteTransaction(this, this.writer);
      try {
        this.writer.begin();
      } catch (error) {
        throw sqliteFailure(error);
      }
      try {
        const result = await (options.sessionOnly
          ? work(transaction.session)
          : runInTransaction(transaction, () => work(transaction.session)));
        transaction.open = false;
        this.writer.commit();
        return result;
      } catch (error) {
        transaction.open = false;
        this.writer.rollback();
        throw sqliteFailure(error);
      }
    });
  }

  async close(): Promise<void> {
    if (ambientTransaction(this)) throw new Error('a read store cannot be closed from inside one of its transactions');
    const closing = await this.writers.run(() => {
      if (this.closed) return false;
      this.closed = true;
      return true;
    });
    if (!closing) return;
    // The worker goes first, so that closing the last connection checkpoints what is left.
    await this.checkpoints?.close();
    this.reader?.db.close();
    this.writer.db.close();
  }
}

class SqliteTransaction implements AmbientTransaction<SqliteSession> {
  open = true;
  readonly session: SqliteSession;

  constructor(
    readonly owner: SqliteConnections,
    connection: SqliteConnection,
  ) {
    this.session = new SqliteSession(new TransactionAccess(connection, this));
  }
}

/** Inside a transaction the mutex is already held: operations run at once on the write connection. */
class TransactionAccess implements SqliteAccess {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly transaction: SqliteTransaction,
  ) {}

  read<R>(work: (connection: SqliteConnection) => R): Promise<R> {
    return this.write(work);
  }

  write<R>(work: (connection: SqliteConnection) => R): Promise<R> {
    if (!this.transaction.open) return Promise.reject(new Error('this read-store transaction has already finished'));
    return runNow(work, this.connection);
  }
}

function runNow<R>(work: (connection: SqliteConnection) => R, connection: SqliteConnection): Promise<R> {
  try {
    return Promise.resolve(work(connection));
  } catch (error) {
    return Promise.reject(sqliteFailure(error));
  }
}

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|NOTADB|CORRUPT)/;

/** Failures of the database itself (locked too long, disk, file) become `ReadStoreUnavailable`. */
function sqliteFailure(error: unknown): unknown {
  if (error instanceof Database.SqliteError && UNAVAILABLE_CODES.test(error.code)) {
    return new ReadStoreUnavailable(`SQLite read store: ${error.message}`, { cause: error });
  }
  return error;
}

function closedError(): ReadStoreUnavailable {
  return new ReadStoreUnavailable('the SQLite read store is closed');
}

function scopeKey(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.id}`;
}

function scopeFromKey(key: string): Scope {
  if (key === 'global') return { kind: 'global' };
  const separator = key.indexOf(':');
  return { kind: key.slice(0, separator) as 'guild' | 'user', id: key.slice(separator + 1) };
}
