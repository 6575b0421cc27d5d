import { InvalidReadQuery } from './errors';
import type { Filter, FilterValue, FindOptions } from './read-store.port';
import { assertFieldPath } from './validation';

/**
 * `FindOptions` checked and normalised once, for every adapter: the filter as a list of conditions,
 * the sort ending with `id`, the limit, and where the cursor says the previous page stopped.
 */
export interface FindQuery {
  conditions: FieldCondition[];
  /** Never empty: `id` is always the last key, so the order is total. */
  sort: SortKey[];
  limit: number;
  /** The sort values (one per key, the id last) of the last item of the previous page. */
  after?: FilterValue[];
}

export type RangeOperator = '$gt' | '$gte' | '$lt' | '$lte';

export type FieldCondition =
  | { field: string; operator: '$eq' | '$ne' | RangeOperator; value: FilterValue }
  | { field: string; operator: '$in'; value: FilterValue[] }
  | { field: string; operator: '$exists'; value: boolean };

export interface SortKey {
  field: string;
  direction: 1 | -1;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_SORT_KEYS = 8;
const MAX_IN_VALUES = 1000;
const OPERATORS = new Set(['$eq', '$ne', '$in', '$gt', '$gte', '$lt', '$lte', '$exists']);

export function parseFindOptions(options: FindOptions | undefined): FindQuery {
  if (options === undefined) return { conditions: [], sort: [{ field: 'id', direction: 1 }], limit: DEFAULT_LIMIT };
  if (options === null || typeof options !== 'object') throw new InvalidReadQuery('find options are an object');
  const sort = parseSort(options.sort);
  const query: FindQuery = { conditions: parseFilter(options.filter), sort, limit: parseLimit(options.limit) };
  if (options.cursor !== undefined) query.after = decodeCursor(options.cursor, sort);
  return query;
}

export function parseFilter(filter: Filter | undefined): FieldCondition[] {
  if (filter === undefined) return [];
  if (!isPlainObject(filter)) throw new InvalidReadQuery('a filter is an object of field conditions');
  const conditions: FieldCondition[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    assertFieldPath(field);
    if (isPlainObject(condition)) {
      const operators = Object.entries(condition).filter(([, value]) => value !== undefined);
      if (operators.length === 0) throw new InvalidReadQuery(`the condition on ${field} names no operator`);
      for (const [operator, value] of operators) conditions.push(parseOperator(field, operator, value));
    } else {
      conditions.push({ field, operator: '$eq', value: filterValue(field, condition) });
    }
  }
  return conditions;
}

function parseOperator(field: string, operator: string, value: unknown): FieldCondition {
  if (!OPERATORS.has(operator)) throw new InvalidReadQuery(`unknown operator ${JSON.stringify(operator)} on ${field}`);
  if (operator === '$exists') {
    if (typeof value !== 'boolean') throw new InvalidReadQuery(`$exists on ${field} takes true or false`);
    return { field, operator, value };
  }
  if (operator === '$in') {
    if (!Array.isArray(value) || value.length > MAX_IN_VALUES) {
      throw new InvalidReadQuery(`$in on ${field} takes an array of at most ${MAX_IN_VALUES} values`);
    }
    return { field, operator, value: value.map((item) => filterValue(field, item)) };
  }
  return { field, operator: operator as '$eq' | '$ne' | RangeOperator, value: filterValue(field, value) };
}

/** Ids are strings, so a condition on `id` compares strings (which keeps MongoDB's `_id` mapping exact). */
function filterValue(field: string, value: unknown): FilterValue {
  const scalar =
    value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (!scalar || (field === 'id' && typeof value !== 'string')) {
    const expected = field === 'id' ? 'a string' : 'a string, finite number, boolean or null';
    throw new InvalidReadQuery(`invalid value ${show(value)} for ${field}: ${expected}`);
  }
  return value as FilterValue;
}

function parseSort(sort: unknown): SortKey[] {
  const keys: SortKey[] = [];
  if (sort !== undefined) {
    if (!Array.isArray(sort) || sort.length > MAX_SORT_KEYS) {
      throw new InvalidReadQuery(`a sort is an array of at most ${MAX_SORT_KEYS} [field, 1 | -1] pairs`);
    }
    for (const key of sort) {
      if (!Array.isArray(key) || key.length !== 2 || (key[1] !== 1 && key[1] !== -1)) {
        throw new InvalidReadQuery(`invalid sort key ${show(key)}: [field, 1 | -1]`);
      }
      const [field, direction] = key as [unknown, 1 | -1];
      assertFieldPath(field);
      if (keys.some((existing) => existing.field === field)) throw new InvalidReadQuery(`${field} appears twice in the sort`);
      keys.push({ field, direction });
      // Ids are unique: keys after `id` could never decide an order.
      if (field === 'id') return keys;
    }
  }
  keys.push({ field: 'id', direction: 1 });
  return keys;
}

function parseLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIMIT) {
    throw new InvalidReadQuery(`limit is an integer from 1 to ${MAX_LIMIT}, got ${show(limit)}`);
  }
  return limit as number;
}

/**
 * The cursor after `doc`: its value under each sort key (missing counts as null), with the sort it
 * belongs to, as base64url JSON. Keyset pagination needs scalars: sorting a page boundary on an
 * object or array field is refused.
 */
export function encodeCursor(sort: SortKey[], doc: Record<string, unknown>): string {
  const values = sort.map(({ field }) => {
    const value = valueAtPath(doc, field);
    if (value === undefined || value === null) return null;
    if (typeof value === 'object') throw new InvalidReadQuery(`cannot page on ${field}: it holds an object or array`);
    return value as FilterValue;
  });
  return Buffer.from(JSON.stringify({ s: sortSignature(sort), v: values })).toString('base64url');
}

function decodeCursor(cursor: unknown, sort: SortKey[]): FilterValue[] {
  const invalid = () => new InvalidReadQuery('invalid cursor: pass the nextCursor of the previous page of the same query');
  if (typeof cursor !== 'string' || cursor.length === 0) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { s, v } = (decoded ?? {}) as { s?: unknown; v?: unknown };
  if (s !== sortSignature(sort) || !Array.isArray(v) || v.length !== sort.length) throw invalid();
  const scalars = v.every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value));
  if (!scalars || typeof v[v.length - 1] !== 'string') throw invalid();
  return v as FilterValue[];
}

function sortSignature(sort: SortKey[]): string {
  return sort.map(({ field, direction }) => `${field}:${direction}`).join(',');
}

/** The value at a dotted path of a document, `undefined` when absent. Paths name object fields, never array elements. */
export function valueAtPath(doc: Record<string, unknown>, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let value: unknown = doc;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}
