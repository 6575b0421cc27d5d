/** Nest injection token for the configured `ReadStore` adapter. */
export const READ_STORE = Symbol('READ_STORE');

/**
 * Read models live in scopes: one per guild, one per user, and one global. Guild and user ids are
 * 1-64 letters, digits, `_` and `-` (they name MongoDB databases); others throw `InvalidReadQuery`.
 */
export type Scope = { kind: 'guild'; id: string } | { kind: 'user'; id: string } | { kind: 'global' };

/**
 * Every stored document is a JSON object with a string `id` (1-512 characters), unique within its
 * collection and scope. `_id` and `_scope` are reserved field names; `undefined` values are left out.
 */
export interface Document {
  id: string;
  [field: string]: unknown;
}

/** A JSON scalar a filter can compare with. */
export type FilterValue = string | number | boolean | null;

/**
 * A filter on top-level or dotted fields (`stats.total`; letters, digits, `_` and dots): a value means
 * equality, or an operator object. Several fields and several operators are and-ed. Values compare as
 * in MongoDB: only with values of the same JSON type (`true` is not `1`), `null` also matches a missing
 * field, and `$ne` matches missing fields. Conditions on `id` take strings. Filter on scalar fields:
 * arrays match differently per adapter (MongoDB compares their elements, SQLite the array whole).
 */
export type FilterCondition =
  | FilterValue
  | { $eq?: FilterValue; $ne?: FilterValue; $in?: FilterValue[]; $gt?: FilterValue; $gte?: FilterValue; $lt?: FilterValue; $lte?: FilterValue; $exists?: boolean };
export type Filter = Record<string, FilterCondition>;

/**
 * Sort keys in priority order (at most 8); `id` ascending is always the final tie-breaker. Null and
 * missing values come first ascending, last descending. Keep each sort field to one type: paging
 * across values of different types is not defined.
 */
export type Sort = Array<[field: string, direction: 1 | -1]>;

export interface FindOptions {
  filter?: Filter;
  sort?: Sort;
  /** Default 100, at most 1000; anything else throws `InvalidReadQuery`. */
  limit?: number;
  /** The `nextCursor` of the previous page of the same query (another sort's cursor throws `InvalidReadQuery`). */
  cursor?: string;
}

export interface FindResult<T> {
  items: T[];
  /** Present when more items follow. */
  nextCursor?: string;
}

export interface Collection<T extends Document = Document> {
  get(id: string): Promise<T | null>;
  find(options?: FindOptions): Promise<FindResult<T>>;
  count(filter?: Filter): Promise<number>;
  /** Inserts or replaces the whole document. */
  upsert(doc: T): Promise<void>;
  /**
   * Sets the given top-level fields of an existing document (nested values are replaced whole, fields
   * whose value is `undefined` are left as they are); returns the result, or null when absent.
   */
  patch(id: string, fields: Partial<T>): Promise<T | null>;
  /** Returns whether a document was deleted. */
  delete(id: string): Promise<boolean>;
}

/**
 * A handle on one scope: the only way to reach its documents. Collection names are 1-64 letters,
 * digits, `_` and `-`, not starting with `-`; `_checkpoints` is reserved.
 */
export interface ScopedReadStore {
  readonly scope: Scope;
  collection<T extends Document = Document>(name: string): Collection<T>;
  /** Collections holding at least one document of this scope. */
  listCollections(): Promise<string[]>;
  dropCollection(name: string): Promise<void>;
}

/** What a transaction callback works with: scoped handles and checkpoints, all inside the transaction. */
export interface ReadStoreSession {
  forGuild(guildId: string): ScopedReadStore;
  forUser(userId: string): ScopedReadStore;
  global(): ScopedReadStore;
  forScope(scope: Scope): ScopedReadStore;
  /** Last global position applied by a projection (in `scope`, default global), or null. */
  getCheckpoint(projection: string, scope?: Scope): Promise<number | null>;
  /** A non-negative integer position, or null to remove the checkpoint. */
  setCheckpoint(projection: string, position: number | null, scope?: Scope): Promise<void>;
}

export interface TransactionOptions {
  /**
   * `work` reaches the store only through its session, so no async context is set up for calls
   * through the store to join. On Node 20 that context (AsyncLocalStorage) hooks every promise the
   * process makes from then on: about a sixth of a projection rebuild's time.
   */
  sessionOnly?: boolean;
}

export interface ReadStore extends ReadStoreSession {
  /**
   * Runs `work` atomically where the adapter can (SQLite always; MongoDB on a replica set).
   * Writes made through the session are committed together, or not at all if `work` throws.
   * Where the adapter cannot be atomic it applies writes as they come, and callers stay correct
   * through per-scope checkpoints (see `libs/projections`).
   *
   * Calls made from inside `work` through the store itself (another `transaction`, `forGuild` …)
   * join the running transaction, unless `sessionOnly` is set. MongoDB may run `work` again on a
   * transient error, so `work` must have no effect outside the session, and must not swallow the
   * session's errors.
   */
  transaction<R>(work: (session: ReadStoreSession) => Promise<R>, options?: TransactionOptions): Promise<R>;
  /** True where `transaction` is atomic. */
  readonly atomicTransactions: boolean;
  /** Scopes holding documents or checkpoints, in no particular order. */
  listScopes(): Promise<Scope[]>;
  /** Removes every document and checkpoint of the scope (guild removal, forget-me). */
  dropScope(scope: Scope): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
