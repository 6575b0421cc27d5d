import { InvalidReadQuery } from './errors';
import type { Document, Scope } from './read-store.port';

/**
 * Input rules shared by every adapter, so a query or document one adapter accepts the other accepts
 * too. Names end up in SQL text (field paths) and in MongoDB database and collection names, hence the
 * narrow alphabets; values are always passed as parameters.
 */

const FIELD_PATH = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;
const TOP_LEVEL_FIELD = /^[A-Za-z0-9_]+$/;
const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const SCOPE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_DOCUMENT_ID_LENGTH = 512;
const MAX_PROJECTION_NAME_LENGTH = 200;

/** Top-level fields the MongoDB adapter stores beside a document's own. */
const RESERVED_FIELDS = new Set(['_id', '_scope']);
/** Where the MongoDB adapter keeps each scope's checkpoints. */
export const CHECKPOINTS_COLLECTION = '_checkpoints';

/** A filter or sort field: top-level or dotted (`stats.total`), letters, digits and `_` only. */
export function assertFieldPath(field: unknown): asserts field is string {
  if (typeof field !== 'string' || !FIELD_PATH.test(field) || RESERVED_FIELDS.has(field.split('.', 1)[0])) {
    throw new InvalidReadQuery(`invalid field name ${JSON.stringify(field)}: use letters, digits, _ and dots`);
  }
}

export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name) || name === CHECKPOINTS_COLLECTION) {
    throw new InvalidReadQuery(
      `invalid collection name ${JSON.stringify(name)}: 1-64 letters, digits, _ and -, not starting with - (${CHECKPOINTS_COLLECTION} is reserved)`,
    );
  }
}

export function assertScope(scope: unknown): asserts scope is Scope {
  const candidate = scope as Partial<{ kind: unknown; id: unknown }> | null;
  if (candidate !== null && typeof candidate === 'object') {
    if (candidate.kind === 'global') return;
    if ((candidate.kind === 'guild' || candidate.kind === 'user') && typeof candidate.id === 'string' && SCOPE_ID.test(candidate.id)) return;
  }
  throw new InvalidReadQuery(`invalid scope ${JSON.stringify(scope)}: guild and user ids are 1-64 letters, digits, _ and -`);
}

export function assertDocumentId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_DOCUMENT_ID_LENGTH) {
    throw new InvalidReadQuery(`a document id is a string of 1-${MAX_DOCUMENT_ID_LENGTH} characters, got ${JSON.stringify(id)}`);
  }
}

export function assertDocument(doc: unknown): asserts doc is Document {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidReadQuery('a document is a JSON object');
  assertDocumentId((doc as Document).id);
  if ('_id' in doc || '_scope' in doc) throw new InvalidReadQuery('_id and _scope are reserved field names');
}

/**
 * The fields a patch sets: top-level names only (a dot would address a nested field in MongoDB),
 * `undefined` values left out, and `id` only when it repeats the document's own.
 */
export function patchedFields(id: string, fields: unknown): Array<[string, unknown]> {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new InvalidReadQuery('patch fields are a JSON object');
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (name === 'id') {
      if (value !== id) throw new InvalidReadQuery('a patch cannot change a document id');
      continue;
    }
    if (!TOP_LEVEL_FIELD.test(name) || RESERVED_FIELDS.has(name)) {
      throw new InvalidReadQuery(`invalid patch field ${JSON.stringify(name)}: top-level names of letters, digits and _`);
    }
    entries.push([name, value]);
  }
  return entries;
}

export function assertProjectionName(projection: unknown): asserts projection is string {
  if (typeof projection !== 'string' || projection.length === 0 || projection.length > MAX_PROJECTION_NAME_LENGTH) {
    throw new InvalidReadQuery(`a projection name is a string of 1-${MAX_PROJECTION_NAME_LENGTH} characters`);
  }
}

export function assertCheckpointPosition(position: unknown): asserts position is number | null {
  if (position !== null && !(Number.isSafeInteger(position) && (position as number) >= 0)) {
    throw new InvalidReadQuery(`a checkpoint position is a non-negative integer or null, got ${String(position)}`);
  }
}
