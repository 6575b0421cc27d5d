/** Nest injection token for the configured `ReadStore` adapter. */
export const READ_STORE = Symbol('READ_STORE');

/** Read models live in scopes: one per guild, one per user, and one global. */
export type Scope = { kind: 'guild'; id: string } | { kind: 'user'; id: string } | { kind: 'global' };

/** Every stored document has a string `id`, unique within its collection and scope. */
export interface Document {
  id: string;
  [field: string]: unknown;
}

/** A JSON scalar a filter can compare with. */
export type FilterValue = string | number | boolean | null;

/**
 * A filter on top-level or dotted fields (`stats.total`): a value means equality, or an
 * operator object. Several fields are and-ed.
 */
export type FilterCondition =
  | FilterValue
  | { $eq?: FilterValue; $ne?: FilterValue; $in?: FilterValue[]; $gt?: FilterValue; $gte?: FilterValue; $lt?: FilterValue; $lte?: FilterValue; $exists?: boolean };
export type Filter = Record<string, FilterCondition>;

/** Sort keys in priority order; `id` ascending is always the final tie-breaker. */
export type Sort = Array<[field: string, direction: 1 | -1]>;

export interface FindOptions {
  filter?: Filter;
  sort?: Sort;
  /** Default 100, at most 1000. */
  limit?: number;
  /** The `nextCursor` of the previous page of the same query. */
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
  /** Sets the given top-level fields of an existing document; returns the result, or null when absent. */
  patch(id: string, fields: Partial<T>): Promise<T | null>;
  /** Returns whether a document was deleted. */
  delete(id: string): Promise<boolean>;
}

/** A handle on one scope: the only way to reach its documents. */
export interface ScopedReadStore {
  readonly scope: Scope;
  collection<T extends Document = Document>(name: string): Collection<T>;
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
  setCheckpoint(projection: string, position: number | null, scope?: Scope): Promise<void>;
}

export interface ReadStore extends ReadStoreSession {
  /**
   * Runs `work` atomically where the adapter can (SQLite always; MongoDB on a replica set).
   * Writes made through the session are committed together, or not at all if `work` throws.
   * Where the adapter cannot be atomic it applies writes as they come, and callers stay correct
   * through per-scope checkpoints (see `libs/projections`).
   */
  transaction<R>(work: (session: ReadStoreSession) => Promise<R>): Promise<R>;
  /** True where `transaction` is atomic. */
  readonly atomicTransactions: boolean;
  listScopes(): Promise<Scope[]>;
  /** Removes every document and checkpoint of the scope (guild removal, forget-me). */
  dropScope(scope: Scope): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
