import type { Filter } from 'mongodb';
import { InvalidReadQuery } from '../errors';
import type { Document, Scope } from '../read-store.port';

/** A document as stored: its id under `_id` (prefixed in the users database), and `_scope` there. */
export interface StoredDocument {
  _id: string;
  _scope?: string;
  [field: string]: unknown;
}

/**
 * Where a scope lives in MongoDB. Each guild has its own database (`<prefix>_guild_<id>`), so removing
 * a guild drops one database; the global scope has `<prefix>_global`. Users are far more numerous,
 * so they share `<prefix>_users`: there a document's `_id` is `<userId>:<id>`, which keeps ids of
 * different users apart, lets the `_id` index serve every per-user query (all of a user's keys fall
 * between `<userId>:` and `<userId>;`), and orders a user's documents exactly as their ids order.
 * A `_scope` field names the user for listing and inspection.
 */
export interface MongoScopeLayout {
  readonly databaseName: string;
  /** The stored `_id` for a document id (or a projection name, in `_checkpoints`). */
  key(id: string): string;
  /** Restricts a query to the scope's documents within the database; undefined when it has the database alone. */
  readonly scopeFilter: Filter<StoredDocument> | undefined;
  /** Turns a document into what is stored: `id` moves to `_id`, the scope fields are added. */
  stored(doc: Document): StoredDocument;
  /** Turns what is stored back into the document: internal fields are left out. */
  document<T extends Document>(stored: StoredDocument): T;
}

/** MongoDB refuses database names of 64 bytes or more. */
const MAX_DATABASE_NAME_LENGTH = 63;

export function scopeLayout(prefix: string, scope: Scope): MongoScopeLayout {
  if (scope.kind === 'user') return userLayout(usersDatabaseName(prefix), scope.id);
  const databaseName = scope.kind === 'guild' ? `${prefix}_guild_${scope.id}` : `${prefix}_global`;
  if (databaseName.length > MAX_DATABASE_NAME_LENGTH) {
    throw new InvalidReadQuery(`guild id ${scope.kind === 'guild' ? scope.id : ''} makes the database name ${databaseName} too long`);
  }
  return {
    databaseName,
    key: (id) => id,
    scopeFilter: undefined,
    stored: ({ id, ...fields }) => ({ _id: id, ...fields }),
    document: <T extends Document>({ _id, ...fields }: StoredDocument) => ({ id: _id, ...fields }) as T,
  };
}

function userLayout(databaseName: string, userId: string): MongoScopeLayout {
  const keyPrefix = `${userId}:`;
  return {
    databaseName,
    key: (id) => keyPrefix + id,
    // ';' is the character after ':', so the range holds exactly the keys starting with `<userId>:`.
    scopeFilter: { _id: { $gte: keyPrefix, $lt: `${userId};` } },
    stored: ({ id, ...fields }) => ({ _id: keyPrefix + id, _scope: userId, ...fields }),
    document: <T extends Document>({ _id, _scope, ...fields }: StoredDocument) => ({ id: _id.slice(keyPrefix.length), ...fields }) as T,
  };
}

/** The guild and global scopes a database name stands for; undefined for other databases. */
export function scopeOfDatabase(prefix: string, databaseName: string): Scope | undefined {
  if (databaseName === `${prefix}_global`) return { kind: 'global' };
  const guildPrefix = `${prefix}_guild_`;
  if (databaseName.startsWith(guildPrefix) && databaseName.length > guildPrefix.length) {
    return { kind: 'guild', id: databaseName.slice(guildPrefix.length) };
  }
  return undefined;
}

export function usersDatabaseName(prefix: string): string {
  return `${prefix}_users`;
}
