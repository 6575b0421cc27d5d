import {
  assertCollectionName,
  assertDocument,
  assertDocumentId,
  patchedFields,
  type Collection,
  type Document,
  type ReadStoreSession,
  type Scope,
  type ScopedReadStore,
} from '@herald/readstore';
import { scopeKey } from './scope-guarded-session';

const DELETED = Symbol('deleted');
type Pending = Document | typeof DELETED;

interface CollectionBuffer {
  key: string;
  scoped: ScopedReadStore;
  name: string;
  /** Documents read or written during the batch; DELETED marks a delete. */
  docs: Map<string, Pending | null>;
  dirty: Set<string>;
  /** The batch dropped the collection: what earlier batches left in a `DocumentCache` is gone. */
  dropped: boolean;
}

/**
 * The documents earlier batches of a rebuild read and wrote, as committed, so that a later batch
 * takes them from memory instead of reading them back from the store: with per-member documents
 * spread over the log, that read-back was one statement and one `JSON.parse` per event. Only a
 * rebuild carries one, because under its lease it is the only writer of the projection's
 * collections; a live runner shares them with other processes. Bounded: past `maxDocuments` it
 * starts again empty, which costs no more than not having it.
 */
export class DocumentCache {
  private readonly collections = new Map<string, Map<string, Document | null>>();
  private size = 0;

  constructor(private readonly maxDocuments = 50_000) {}

  get documentCount(): number {
    return this.size;
  }

  /** The known documents of one collection of one scope (`null`: known not to exist). */
  collection(key: string): Map<string, Document | null> {
    let docs = this.collections.get(key);
    if (!docs) {
      docs = new Map();
      this.collections.set(key, docs);
    }
    return docs;
  }

  /** Takes what a batch read and wrote in one collection, once its transaction has committed. */
  remember(key: string, batchDocs: ReadonlyMap<string, Document | null | symbol>, dropped: boolean): void {
    const docs = this.collection(key);
    if (dropped) {
      this.size -= docs.size;
      docs.clear();
    }
    for (const [id, pending] of batchDocs) {
      if (!docs.has(id)) this.size++;
      docs.set(id, typeof pending === 'symbol' ? null : pending);
    }
    if (this.size > this.maxDocuments) this.clear();
  }

  private clear(): void {
    this.collections.clear();
    this.size = 0;
  }
}

/**
 * A unit of work over one batch of a projection, inside the batch's transaction: documents are
 * read once and written once per batch, however many events touch them, which is what lets a
 * rebuild run at the speed of the log rather than of one SQLite statement per event. Queries
 * (`find`, `count`, `listCollections`) first write what is pending, so they see every change.
 * Documents handed out are shared within the batch: a projection writes new objects, it never
 * mutates the ones it read.
 */
export class BatchSession implements ReadStoreSession {
  private readonly buffers = new Map<string, CollectionBuffer>();
  /** One handle per scope for the batch: projections ask for the same few scopes thousands of times. */
  private readonly handles = new Map<string, ScopedReadStore>();
  private readonly guildHandles = new Map<string, ScopedReadStore>();
  private readonly userHandles = new Map<string, ScopedReadStore>();

  constructor(
    private readonly inner: ReadStoreSession,
    private readonly carried?: DocumentCache,
  ) {}

  forGuild(guildId: string): ScopedReadStore {
    return this.handleById('guild', guildId);
  }

  forUser(userId: string): ScopedReadStore {
    return this.handleById('user', userId);
  }

  global(): ScopedReadStore {
    return this.handles.get('global') ?? this.wrap(this.inner.global());
  }

  forScope(scope: Scope): ScopedReadStore {
    return this.handles.get(scopeKey(scope)) ?? this.wrap(this.inner.forScope(scope));
  }

  getCheckpoint(projection: string, scope?: Scope): Promise<number | null> {
    return this.inner.getCheckpoint(projection, scope);
  }

  setCheckpoint(projection: string, position: number | null, scope?: Scope): Promise<void> {
    return this.inner.setCheckpoint(projection, position, scope);
  }

  /** Writes every pending change through the inner session. */
  async flush(): Promise<void> {
    for (const buffer of this.buffers.values()) await this.flushBuffer(buffer);
  }

  /** Hands the batch's documents to the `DocumentCache` it was given; call once the transaction has committed. */
  committed(): void {
    if (this.carried) for (const buffer of this.buffers.values()) this.carried.remember(buffer.key, buffer.docs, buffer.dropped);
  }

  private async flushBuffer(buffer: CollectionBuffer): Promise<void> {
    if (buffer.dirty.size === 0) return;
    const collection = buffer.scoped.collection(buffer.name);
    for (const id of buffer.dirty) {
      const pending = buffer.docs.get(id);
      if (pending === DELETED) await collection.delete(id);
      else if (pending) await collection.upsert(pending);
    }
    buffer.dirty.clear();
  }

  private async flushScope(scope: Scope): Promise<void> {
    const prefix = `${scopeKey(scope)}\u0000`;
    for (const [key, buffer] of this.buffers) if (key.startsWith(prefix)) await this.flushBuffer(buffer);
  }

  /** Found by the bare id (no closure, no `guild:<id>` string per event: that was 5 % of a rebuild). */
  private handleById(kind: 'guild' | 'user', id: string): ScopedReadStore {
    const byId = kind === 'guild' ? this.guildHandles : this.userHandles;
    let handle = byId.get(id);
    if (!handle) {
      const scoped = kind === 'guild' ? this.inner.forGuild(id) : this.inner.forUser(id);
      handle = this.handles.get(scopeKey(scoped.scope)) ?? this.wrap(scoped);
      byId.set(id, handle);
    }
    return handle;
  }

  private buffer(scoped: ScopedReadStore, name: string): CollectionBuffer {
    assertCollectionName(name);
    const key = `${scopeKey(scoped.scope)}\u0000${name}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { key, scoped, name, docs: new Map(), dirty: new Set(), dropped: false };
      this.buffers.set(key, buffer);
    }
    return buffer;
  }

  private wrap(scoped: ScopedReadStore): ScopedReadStore {
    const session = this;
    const collections = new Map<string, Collection<Document>>();
    const handle: ScopedReadStore = {
      scope: scoped.scope,
      async listCollections() {
        await session.flushScope(scoped.scope);
        return scoped.listCollections();
      },
      async dropCollection(name) {
        const buffer = session.buffer(scoped, name);
        buffer.docs.clear();
        buffer.dirty.clear();
        buffer.dropped = true;
        await scoped.dropCollection(name);
      },
      collection<T extends Document>(name: string): Collection<T> {
        let collection = collections.get(name);
        if (!collection) {
          collection = session.bufferedCollection(scoped, name);
          collections.set(name, collection);
        }
        return collection as unknown as Collection<T>;
      },
    };
    this.handles.set(scopeKey(scoped.scope), handle);
    return handle;
  }

  private bufferedCollection<T extends Document>(scoped: ScopedReadStore, name: string): Collection<T> {
    const session = this;
    const buffer = this.buffer(scoped, name);
    const inner = scoped.collection<T>(name);
    const carried = this.carried?.collection(buffer.key);
    const read = async (id: string): Promise<T | null> => {
      const known = buffer.docs.get(id);
      if (known !== undefined) return known === DELETED ? null : (known as T | null);
      assertDocumentId(id);
      const cached = buffer.dropped ? undefined : carried?.get(id);
      const stored = cached !== undefined ? (cached as T | null) : await inner.get(id);
      buffer.docs.set(id, stored);
      return stored;
    };
    const write = (id: string, doc: Pending) => {
      buffer.docs.set(id, doc);
      buffer.dirty.add(id);
    };
    return {
      get: read,
      async find(options) {
        await session.flushBuffer(buffer);
        return inner.find(options);
      },
      async count(filter) {
        await session.flushBuffer(buffer);
        return inner.count(filter);
      },
      async upsert(doc) {
        assertDocument(doc);
        write(doc.id, dropUndefined(doc));
      },
      async patch(id, fields) {
        const current = await read(id);
        const changes = patchedFields(id, fields);
        if (!current) return null;
        // Copy, then assign: on V8 11 `{ ...current, ...Object.fromEntries(changes) }` costs three times as much.
        const patched: Record<string, unknown> = { ...current };
        for (const [name, value] of changes) patched[name] = value;
        write(id, patched as T);
        return patched as T;
      },
      async delete(id) {
        const existed = (await read(id)) !== null;
        if (existed) write(id, DELETED);
        return existed;
      },
    };
  }
}

/** What a store returns after an upsert: the document as JSON would keep it. */
function dropUndefined<T extends Document>(doc: T): T {
  for (const key in doc) {
    if (doc[key] === undefined) return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as T;
  }
  return doc;
}
