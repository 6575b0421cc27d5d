import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ReadStoreUnavailable } from '../errors';
import { encodeCursor, type FieldCondition, type FindQuery } from '../find-query';
import type { Document, FindResult } from '../read-store.port';
import { filterSql, pageSql, type SqlValue } from './sqlite-query';

/**
 * One better-sqlite3 connection with its prepared statements. Documents are JSON text keyed by
 * (scope, collection, id); a rowid table with a unique index on that key upserts faster than a
 * WITHOUT ROWID table once documents are a few hundred bytes, and the index serves every lookup,
 * scope and collection listing, and id-ordered page.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_documents (
    scope TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS read_documents_key ON read_documents (scope, collection, id);
  CREATE TABLE IF NOT EXISTS read_checkpoints (
    scope TEXT NOT NULL,
    projection TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (scope, projection)
  ) WITHOUT ROWID;
`;

const BUSY_TIMEOUT_MS = 5000;
/** Distinct query shapes kept prepared per connection; an application has a few dozen. */
const MAX_CACHED_QUERIES = 256;

export function openSqliteDatabase(path: string, access: 'read-write' | 'read-only'): Database.Database {
  try {
    if (access === 'read-only') {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      return db;
    }
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // Read models and their checkpoints commit together, so a power cut can only take the store back
    // to an earlier consistent point that the projections replay from; FULL would buy nothing here.
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    throw new ReadStoreUnavailable(`cannot open the SQLite read store at ${path}: ${(error as Error).message}`, { cause: error });
  }
}

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteConnection {
  private readonly getDocumentStatement: Statement;
  private readonly upsertDocumentStatement: Statement;
  private readonly updateDocumentStatement: Statement;
  private readonly deleteDocumentStatement: Statement;
  private readonly queryStatements = new Map<string, Statement>();
  private readonly dropCollectionStatement: Statement;
  private readonly dropScopeStatements: { documents: Statement; checkpoints: Statement };
  private readonly listCollectionsStatement: Statement;
  private readonly listScopesStatement: Statement;
  private readonly getCheckpointStatement: Statement;
  private readonly setCheckpointStatement: Statement;
  private readonly clearCheckpointStatement: Statement;
  private readonly beginStatement: Statement;
  private readonly commitStatement: Statement;
  private readonly rollbackStatement: Statement;
  private readonly pingStatement: Statement;
  private readonly patchAtomically: Database.Transaction<(...args: Parameters<SqliteConnection['patchDocument']>) => Document | null>;
  private readonly dropScopeAtomically: Database.Transaction<(scope: string) => void>;

  constructor(readonly db: Database.Database) {
    this.getDocumentStatement = db.prepare('SELECT body FROM read_documents WHERE scope = ? AND collection = ? AND id = ?').pluck();
    this.upsertDocumentStatement = db.prepare(
      `INSERT INTO read_documents (scope, collection, id, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, collection, id) DO UPDATE SET body = excluded.body`,
    );
    this.updateDocumentStatement = db.prepare('UPDATE read_documents SET body = ? WHERE scope = ? AND collection = ? AND id = ?');
    this.deleteDocumentStatement = db.prepare('DELETE FROM read_documents WHERE scope = ? AND collection = ? AND id = ?');
    this.dropCollectionStatement = db.prepare('DELETE FROM read_documents WHERE scope = ? AND collection = ?');
    this.dropScopeStatements = {
      documents: db.prepare('DELETE FROM read_documents WHERE scope = ?'),
      checkpoints: db.prepare('DELETE FROM read_checkpoints WHERE scope = ?'),
    };
    // Loose index scans: one index probe per distinct value instead of reading every document.
    this.listCollectionsStatement = db
      .prepare(
        `WITH RECURSIVE names (name) AS (
           SELECT min(collection) FROM read_documents WHERE scope = @scope
           UNION ALL
           SELECT (SELECT min(collection) FROM read_documents WHERE scope = @scope AND collection > names.name)
           FROM names WHERE names.name IS NOT NULL
         )
         SELECT name FROM names WHERE name IS NOT NULL`,
      )
      .pluck();
    this.listScopesStatement = db
      .prepare(
        `WITH RECURSIVE scopes (scope) AS (
           SELECT min(scope) FROM read_documents
           UNION ALL
           SELECT (SELECT min(scope) FROM read_documents WHERE scope > scopes.scope) FROM scopes WHERE scopes.scope IS NOT NULL
         )
         SELECT scope FROM scopes WHERE scope IS NOT NULL
         UNION
         SELECT scope FROM read_checkpoints`,
      )
      .pluck();
    this.getCheckpointStatement = db.prepare('SELECT position FROM read_checkpoints WHERE scope = ? AND projection = ?').pluck();
    this.setCheckpointStatement = db.prepare(
      `INSERT INTO read_checkpoints (scope, projection, position) VALUES (?, ?, ?)
       ON CONFLICT (scope, projection) DO UPDATE SET position = excluded.position`,
    );
    this.clearCheckpointStatement = db.prepare('DELETE FROM read_checkpoints WHERE scope = ? AND projection = ?');
    this.beginStatement = db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = db.prepare('COMMIT');
    this.rollbackStatement = db.prepare('ROLLBACK');
    this.pingStatement = db.prepare('SELECT count(*) FROM read_checkpoints WHERE 0').pluck();
    this.patchAtomically = db.transaction((scope, collection, id, fields) => this.patchDocument(scope, collection, id, fields));
    this.dropScopeAtomically = db.transaction((scope: string) => this.dropScope(scope));
  }

  getDocument<T extends Document>(scope: string, collection: string, id: string): T | null {
    const body = this.getDocumentStatement.get(scope, collection, id) as string | undefined;
    return body === undefined ? null : (JSON.parse(body) as T);
  }

  upsertDocument(scope: string, collection: string, doc: Document): void {
    this.upsertDocumentStatement.run(scope, collection, doc.id, JSON.stringify(doc));
  }

  /**
   * Sets top-level fields and returns the merged document. Read, merge and write run in one
   * transaction (the caller's, or one of their own), so no other writer can slip in between; merging
   * in JavaScript is about twice as fast as json_set with RETURNING.
   */
  patchDocument<T extends Document>(scope: string, collection: string, id: string, fields: Array<[string, unknown]>): T | null {
    if (!this.db.inTransaction && fields.length > 0) return this.patchAtomically.immediate(scope, collection, id, fields) as T | null;
    const doc = this.getDocument<T>(scope, collection, id);
    if (doc === null || fields.length === 0) return doc;
    for (const [name, value] of fields) (doc as Record<string, unknown>)[name] = value;
    this.updateDocumentStatement.run(JSON.stringify(doc), scope, collection, id);
    return doc;
  }

  deleteDocument(scope: string, collection: string, id: string): boolean {
    return this.deleteDocumentStatement.run(scope, collection, id).changes > 0;
  }

  findPage<T extends Document>(scope: string, collection: string, query: FindQuery): FindResult<T> {
    const params: SqlValue[] = [scope, collection];
    const sql = `SELECT body FROM read_documents WHERE scope = ? AND collection = ?${pageSql(query, params)}`;
    const bodies = this.query(sql).all(...params) as string[];
    const items = bodies.map((body) => JSON.parse(body) as T);
    if (items.length <= query.limit) return { items };
    items.length = query.limit;
    return { items, nextCursor: encodeCursor(query.sort, items[items.length - 1]) };
  }

  count(scope: string, collection: string, conditions: FieldCondition[]): number {
    const params: SqlValue[] = [scope, collection];
    const sql = `SELECT count(*) FROM read_documents WHERE scope = ? AND collection = ?${filterSql(conditions, params)}`;
    return this.query(sql).get(...params) as number;
  }

  listCollections(scope: string): string[] {
    return this.listCollectionsStatement.all({ scope }) as string[];
  }

  dropCollection(scope: string, collection: string): void {
    this.dropCollectionStatement.run(scope, collection);
  }

  /** Documents and checkpoints go together, in the caller's transaction or one of their own. */
  dropScope(scope: string): void {
    if (!this.db.inTransaction) return this.dropScopeAtomically.immediate(scope);
    this.dropScopeStatements.documents.run(scope);
    this.dropScopeStatements.checkpoints.run(scope);
  }

  listScopes(): string[] {
    return this.listScopesStatement.all() as string[];
  }

  getCheckpoint(scope: string, projection: string): number | null {
    return (this.getCheckpointStatement.get(scope, projection) as number | undefined) ?? null;
  }

  setCheckpoint(scope: string, projection: string, position: number | null): void {
    if (position === null) this.clearCheckpointStatement.run(scope, projection);
    else this.setCheckpointStatement.run(scope, projection, position);
  }

  begin(): void {
    this.beginStatement.run();
  }

  commit(): void {
    this.commitStatement.run();
  }

  /** After a failed statement SQLite may already have rolled back on its own. */
  rollback(): void {
    if (this.db.inTransaction) this.rollbackStatement.run();
  }

  /** Reads the schema, so an unreadable database fails here. */
  ping(): void {
    this.pingStatement.get();
  }

  private query(sql: string): Statement {
    let statement = this.queryStatements.get(sql);
    if (!statement) {
      if (this.queryStatements.size >= MAX_CACHED_QUERIES) this.queryStatements.delete(this.queryStatements.keys().next().value!);
      statement = this.db.prepare(sql).pluck();
      this.queryStatements.set(sql, statement);
    }
    return statement;
  }
}
