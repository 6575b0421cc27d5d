import {
  MongoClient,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type ClientSession,
  type Collection as MongoCollection,
  type Db,
} from 'mongodb';
import { ambientTransaction, runInTransaction, type AmbientTransaction } from '../ambient-transaction';
import { ReadStoreUnavailable } from '../errors';
import { encodeCursor, parseFilter, parseFindOptions, type FindQuery } from '../find-query';
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
  CHECKPOINTS_COLLECTION,
  patchedFields,
} from '../validation';
import { mongoFilter, mongoSort } from './mongo-query';
import { scopeLayout, scopeOfDatabase, usersDatabaseName, type MongoScopeLayout, type StoredDocument } from './mongo-scopes';

export interface MongoReadStoreOptions {
  /** A MongoDB connection string. */
  url: string;
  /** Starts every database name: `<prefix>_guild_<id>`, `<prefix>_users`, `<prefix>_global`. */
  databasePrefix: string;
}

const DATABASE_PREFIX = /^[A-Za-z0-9_-]{1,32}$/;
const NAMESPACE_NOT_FOUND = 26;

/**
 * The production read store on MongoDB (layout in `mongo-scopes.ts`). It connects on first use.
 *
 * `transaction` is atomic when the server supports transactions (a replica set or sharded cluster,
 * found with `hello` on connecting): work then runs in `withTransaction`, which re-runs it on a
 * transient error, so work must not have effects outside the session. A standalone server applies
 * writes as they come, and `atomicTransactions` stays false; it reads false until the first
 * connection too (`ping` connects).
 */
export function createMongoReadStore(options: MongoReadStoreOptions): ReadStore {
  if (!DATABASE_PREFIX.test(options.databasePrefix)) {
    throw new Error(`databasePrefix must be 1-32 letters, digits, _ or -, got ${JSON.stringify(options.databasePrefix)}`);
  }
  // ignoreUndefined: undefined fields are left out, as JSON (and the SQLite adapter) leaves them out.
  const client = new MongoClient(options.url, { ignoreUndefined: true, serverSelectionTimeoutMS: 5000 });
  return new MongoReadStore(new MongoConnection(client, options.databasePrefix));
}

/** How session operations run: with the transaction's session inside one, on their own outside. */
interface MongoAccess {
  run<R>(operation: (session: ClientSession | undefined) => Promise<R>): Promise<R>;
}

const GLOBAL_SCOPE: Scope = Object.freeze({ kind: 'global' });

class MongoSession implements ReadStoreSession {
  constructor(
    protected readonly connection: MongoConnection,
    readonly access: MongoAccess,
  ) {}

  forGuild(guildId: string): ScopedReadStore {
    return this.forScope({ kind: 'guild', id: guildId });
  }

  forUser(userId: string): ScopedReadStore {
    return this.forScope({ kind: 'user', id: userId });
  }

  global(): ScopedReadStore {
    return this.forScope(GLOBAL_SCOPE);
  }

  forScope(scope: Scope): ScopedReadStore {
    assertScope(scope);
    return new MongoScopedStore(this.connection, this.access, scope);
  }

  getCheckpoint(projection: string, scope: Scope = GLOBAL_SCOPE): Promise<number | null> {
    return checked(
      () => {
        assertProjectionName(projection);
        return this.connection.layout(scope);
      },
      (layout) =>
        this.access.run(async (session) => {
          const stored = await this.connection.checkpoints(layout).findOne({ _id: layout.key(projection) }, { session });
          return stored ? (stored.position as number) : null;
        }),
    );
  }

  setCheckpoint(projection: string, position: number | null, scope: Scope = GLOBAL_SCOPE): Promise<void> {
    return checked(
      () => {
        assertProjectionName(projection);
        assertCheckpointPosition(position);
        return this.connection.layout(scope);
      },
      (layout) =>
        this.access.run(async (session) => {
          const checkpoints = this.connection.checkpoints(layout);
          if (position === null) {
            await checkpoints.deleteOne({ _id: layout.key(projection) }, { session });
            return;
          }
          const { _id, ...fields } = layout.stored({ id: projection, position });
          await checkpoints.updateOne({ _id }, { $set: fields }, { upsert: true, session });
        }),
    );
  }
}

class MongoScopedStore implements ScopedReadStore {
  readonly scope: Scope;
  private readonly layout: MongoScopeLayout;

  constructor(
    private readonly connection: MongoConnection,
    private readonly access: MongoAccess,
    scope: Scope,
  ) {
    this.scope = Object.freeze({ ...scope });
    this.layout = connection.layout(scope);
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    assertCollectionName(name);
    return new MongoDocuments<T>(this.connection.collection(this.layout.databaseName, name), this.access, this.layout);
  }

  /** Collections holding at least one document of the scope (listCollections cannot run in a transaction). */
  listCollections(): Promise<string[]> {
    return this.access.run(async (session) => {
      const database = this.connection.database(this.layout.databaseName);
      const names = (await database.listCollections({}, { nameOnly: true }).toArray())
        .map(({ name }) => name as string)
        .filter((name) => name !== CHECKPOINTS_COLLECTION && !name.startsWith('system.'));
      const holding: string[] = [];
      // One at a time: operations of one transaction must not run concurrently on its session.
      for (const name of names) {
        const any = await database.collection<StoredDocument>(name).findOne(this.layout.scopeFilter ?? {}, { projection: { _id: 1 }, session });
        if (any) holding.push(name);
      }
      return holding.sort();
    });
  }

  /** A shared (users) database or a transaction cannot drop the collection itself: its documents go instead. */
  dropCollection(name: string): Promise<void> {
    return checked(
      () => assertCollectionName(name),
      () => this.access.run((session) => this.drop(name, session)),
    );
  }

  private async drop(name: string, session: ClientSession | undefined): Promise<void> {
    const collection = this.connection.collection(this.layout.databaseName, name);
    if (this.layout.scopeFilter || session) {
      await collection.deleteMany(this.layout.scopeFilter ?? {}, { session });
      return;
    }
    try {
      await collection.drop();
    } catch (error) {
      // Servers before 7.0 refuse to drop a collection that does not exist.
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
    }
  }
}

class MongoDocuments<T extends Document> implements Collection<T> {
  constructor(
    private readonly collection: MongoCollection<StoredDocument>,
    private readonly access: MongoAccess,
    private readonly layout: MongoScopeLayout,
  ) {}

  get(id: string): Promise<T | null> {
    return checked(
      () => this.key(id),
      (key) => this.access.run((session) => this.findByKey(key, session)),
    );
  }

  find(options?: FindOptions): Promise<FindResult<T>> {
    return checked(
      () => parseFindOptions(options),
      (query) => this.access.run((session) => this.findPage(query, session)),
    );
  }

  count(filter?: Filter): Promise<number> {
    return checked(
      () => mongoFilter(this.layout, parseFilter(filter)),
      (query) => this.access.run((session) => this.collection.countDocuments(query, { session })),
    );
  }

  upsert(doc: T): Promise<void> {
    return checked(
      () => {
        assertDocument(doc);
        return this.layout.stored(doc);
      },
      ({ _id, ...fields }) =>
        this.access.run(async (session) => {
          await this.collection.replaceOne({ _id }, fields, { upsert: true, session });
        }),
    );
  }

  patch(id: string, fields: Partial<T>): Promise<T | null> {
    return checked(
      () => [this.key(id), patchedFields(id, fields)] as const,
      ([key, changes]) =>
        this.access.run(async (session) => {
          if (changes.length === 0) return this.findByKey(key, session);
          const updated = await this.collection.findOneAndUpdate(
            { _id: key },
            { $set: Object.fromEntries(changes) },
            { returnDocument: 'after', session },
          );
          return updated ? this.layout.document<T>(updated) : null;
        }),
    );
  }

  delete(id: string): Promise<boolean> {
    return checked(
      () => this.key(id),
      (key) =>
        this.access.run(async (session) => {
          const result = await this.collection.deleteOne({ _id: key }, { session });
          return result.deletedCount > 0;
        }),
    );
  }

  private key(id: string): string {
    assertDocumentId(id);
    return this.layout.key(id);
  }

  private async findByKey(key: string, session: ClientSession | undefined): Promise<T | null> {
    const stored = await this.collection.findOne({ _id: key }, { session });
    return stored ? this.layout.document<T>(stored) : null;
  }

  private async findPage(query: FindQuery, session: ClientSession | undefined): Promise<FindResult<T>> {
    const stored = await this.collection
      .find(mongoFilter(this.layout, query.conditions, query), { sort: mongoSort(query.sort), limit: query.limit + 1, session })
      .toArray();
    const items = stored.map((doc) => this.layout.document<T>(doc));
    if (items.length <= query.limit) return { items };
    items.length = query.limit;
    return { items, nextCursor: encodeCursor(query.sort, items[items.length - 1]) };
  }
}

class MongoReadStore extends MongoSession implements ReadStore {
  constructor(connection: MongoConnection) {
    super(connection, connection);
  }

  get atomicTransactions(): boolean {
    return this.connection.supportsTransactions;
  }

  async transaction<R>(work: (session: ReadStoreSession) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const joined = ambientTransaction<MongoSession>(this.connection);
    if (joined) return work(joined.session);
    await this.connection.connected();
    try {
      if (!this.connection.supportsTransactions) return await this.connection.runTransaction(undefined, work, options);
      return await this.connection.client.withSession((clientSession) =>
        clientSession.withTransaction(() => this.connection.runTransaction(clientSession, work, options), {
          readConcern: { level: 'snapshot' },
          writeConcern: { w: 'majority' },
          readPreference: 'primary',
        }),
      );
    } catch (error) {
      throw mongoFailure(error);
    }
  }

  /** Every guild database, the global one, and each user holding documents or checkpoints in the users database. */
  listScopes(): Promise<Scope[]> {
    return this.connection.outsideTransaction(async () => {
      const prefix = this.connection.prefix;
      const { databases } = await this.connection.client.db('admin').admin().listDatabases({ nameOnly: true });
      const scopes: Scope[] = [];
      let hasUsers = false;
      for (const { name } of databases) {
        const scope = scopeOfDatabase(prefix, name);
        if (scope) scopes.push(scope);
        hasUsers ||= name === usersDatabaseName(prefix);
      }
      if (hasUsers) {
        const users = this.connection.database(usersDatabaseName(prefix));
        const userIds = new Set<string>();
        for (const { name } of await users.listCollections({}, { nameOnly: true }).toArray()) {
          for (const id of await users.collection(name as string).distinct('_scope')) userIds.add(id as string);
        }
        for (const id of userIds) scopes.push({ kind: 'user', id });
      }
      return scopes;
    });
  }

  /** A guild or the global scope drops its database; a user's documents are deleted from the shared one. */
  dropScope(scope: Scope): Promise<void> {
    return checked(
      () => this.connection.layout(scope),
      (layout) =>
        this.connection.outsideTransaction(async () => {
          const database = this.connection.database(layout.databaseName);
          if (!layout.scopeFilter) {
            await database.dropDatabase();
            return;
          }
          for (const { name } of await database.listCollections({}, { nameOnly: true }).toArray()) {
            await database.collection<StoredDocument>(name as string).deleteMany(layout.scopeFilter);
          }
        }),
    );
  }

  ping(): Promise<void> {
    return this.connection.outsideTransaction(async () => {
      await this.connection.client.db('admin').command({ ping: 1 });
    });
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** The client, the connection state, and how operations reach the server in and out of transactions. */
class MongoConnection implements MongoAccess {
  supportsTransactions = false;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly client: MongoClient,
    readonly prefix: string,
  ) {}

  layout(scope: Scope): MongoScopeLayout {
    assertScope(scope);
    return scopeLayout(this.prefix, scope);
  }

  database(name: string): Db {
    return this.client.db(name);
  }

  collection(databaseName: string, name: string): MongoCollection<StoredDocument> {
    return this.client.db(databaseName).collection<StoredDocument>(name);
  }

  checkpoints(layout: MongoScopeLayout): MongoCollection<StoredDocument> {
    return this.collection(layout.databaseName, CHECKPOINTS_COLLECTION);
  }

  run<R>(operation: (session: ClientSession | undefined) => Promise<R>): Promise<R> {
    const joined = ambientTransaction<MongoSession>(this);
    if (joined) return joined.session.access.run(operation);
    return this.outsideTransaction(() => operation(undefined));
  }

  async outsideTransaction<R>(operation: () => Promise<R>): Promise<R> {
    await this.connected();
    try {
      return await operation();
    } catch (error) {
      throw mongoFailure(error);
    }
  }

  /** Runs work with its session; errors stay as the driver raised them, since their labels drive withTransaction's retries. */
  async runTransaction<R>(
    session: ClientSession | undefined,
    work: (session: ReadStoreSession) => Promise<R>,
    options: TransactionOptions,
  ): Promise<R> {
    const transaction = new MongoTransaction(this, session);
    try {
      return await (options.sessionOnly ? work(transaction.session) : runInTransaction(transaction, () => work(transaction.session)));
    } finally {
      transaction.open = false;
    }
  }

  /** Connects once, and learns from `hello` whether the server can run transactions. */
  connected(): Promise<void> {
    if (this.closed) return Promise.reject(new ReadStoreUnavailable('the MongoDB read store is closed'));
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw new ReadStoreUnavailable(`cannot reach MongoDB: ${(error as Error).message}`, { cause: error });
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }

  private async connect(): Promise<void> {
    await this.client.connect();
    const hello = await this.client.db('admin').command({ hello: 1 });
    this.supportsTransactions = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  }
}

class MongoTransaction implements AmbientTransaction<MongoSession> {
  open = true;
  readonly session: MongoSession;

  constructor(
    readonly owner: MongoConnection,
    clientSession: ClientSession | undefined,
  ) {
    this.session = new MongoSession(owner, new TransactionAccess(owner, this, clientSession));
  }
}

class TransactionAccess implements MongoAccess {
  constructor(
    private readonly connection: MongoConnection,
    private readonly transaction: MongoTransaction,
    private readonly session: ClientSession | undefined,
  ) {}

  run<R>(operation: (session: ClientSession | undefined) => Promise<R>): Promise<R> {
    if (!this.transaction.open) return Promise.reject(new Error('this read-store transaction has already finished'));
    // Without a server transaction there is nothing to retry: errors are mapped as outside one.
    if (!this.session) return this.connection.outsideTransaction(() => operation(undefined));
    return operation(this.session);
  }
}

/** Failures to reach the server become `ReadStoreUnavailable`; anything else (a bad query) stays as it is. */
function mongoFailure(error: unknown): unknown {
  const unreachable =
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoClientClosedError ||
    (error instanceof MongoError && (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError')));
  return unreachable ? new ReadStoreUnavailable(`MongoDB read store: ${(error as Error).message}`, { cause: error }) : error;
}

/** Checks the inputs before reaching for the server, so a bad query is refused even while MongoDB is down. */
function checked<P, R>(check: () => P, run: (checked: P) => Promise<R>): Promise<R> {
  let input: P;
  try {
    input = check();
  } catch (error) {
    return Promise.reject(error);
  }
  return run(input);
}
