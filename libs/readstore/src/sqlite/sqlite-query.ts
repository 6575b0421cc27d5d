import type { FieldCondition, FindQuery, RangeOperator, SortKey } from '../find-query';
import type { FilterValue } from '../read-store.port';

/**
 * `FindQuery` to SQL over `read_documents (scope, collection, id, body)`. Field paths are validated
 * before they reach here (letters, digits, _ and dots), so they are written into the SQL text, which
 * keeps one statement per query shape; every value goes in as a parameter.
 *
 * Values are compared the way MongoDB compares them, so both adapters agree: equality and ranges only
 * match values of the same JSON type (`json_type`), null equality also matches a missing field, and
 * `$ne` matches missing fields. `json_extract` turns true/false into 1/0, hence the type checks.
 */

export type SqlValue = string | number | null;

export interface SqlText {
  sql: string;
  params: SqlValue[];
}

const COMPARISON: Record<RangeOperator, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/** The WHERE conditions after `scope = ? AND collection = ?` (each starting with ` AND `). */
export function filterSql(conditions: FieldCondition[], params: SqlValue[]): string {
  return conditions.map((condition) => ` AND ${conditionSql(condition, params)}`).join('');
}

/** Conditions, keyset, order and limit of one page; one more row than the page is asked for, to know if another follows. */
export function pageSql(query: FindQuery, params: SqlValue[]): string {
  let sql = filterSql(query.conditions, params);
  if (query.after) sql += ` AND ${keysetSql(query.sort, query.after, params)}`;
  const order = query.sort.map(({ field, direction }) => `${valueSql(field)} ${direction === 1 ? 'ASC' : 'DESC'}`);
  params.push(query.limit + 1);
  return `${sql} ORDER BY ${order.join(', ')} LIMIT ?`;
}

function conditionSql(condition: FieldCondition, params: SqlValue[]): string {
  if (condition.field === 'id') return idConditionSql(condition, params);
  const value = valueSql(condition.field);
  const type = typeSql(condition.field);
  switch (condition.operator) {
    case '$eq':
      return equalsSql(value, type, condition.value, params);
    case '$ne':
      // equalsSql never yields NULL, so NOT keeps rows that miss the field, as MongoDB does.
      return `NOT ${equalsSql(value, type, condition.value, params)}`;
    case '$in':
      return inSql(value, type, condition.value, params);
    case '$exists':
      return `${type} IS ${condition.value ? 'NOT NULL' : 'NULL'}`;
    default:
      return rangeSql(value, type, condition.operator, condition.value, params);
  }
}

function equalsSql(value: string, type: string, expected: FilterValue, params: SqlValue[]): string {
  if (expected === null) return `(${value} IS NULL)`;
  if (typeof expected === 'boolean') return `(${type} IS '${expected}')`;
  params.push(expected);
  return `(${value} IS ? AND ${type} ${typeof expected === 'string' ? "= 'text'" : "IN ('integer', 'real')"})`;
}

function inSql(value: string, type: string, expected: FilterValue[], params: SqlValue[]): string {
  const strings = expected.filter((item): item is string => typeof item === 'string');
  const numbers = expected.filter((item): item is number => typeof item === 'number');
  const booleans = expected.filter((item): item is boolean => typeof item === 'boolean');
  const alternatives: string[] = [];
  if (expected.includes(null)) alternatives.push(`${value} IS NULL`);
  if (strings.length > 0) {
    alternatives.push(`(${value} IN (${placeholders(strings.length)}) AND ${type} = 'text')`);
    params.push(...strings);
  }
  if (numbers.length > 0) {
    alternatives.push(`(${value} IN (${placeholders(numbers.length)}) AND ${type} IN ('integer', 'real'))`);
    params.push(...numbers);
  }
  if (booleans.length > 0) alternatives.push(`${type} IN (${[...new Set(booleans)].map((item) => `'${item}'`).join(', ')})`);
  return alternatives.length === 0 ? '0' : `(${alternatives.join(' OR ')})`;
}

function rangeSql(value: string, type: string, operator: RangeOperator, bound: FilterValue, params: SqlValue[]): string {
  // As in MongoDB: null is only "equal" to null or a missing field, never greater or smaller.
  if (bound === null) return operator === '$gte' || operator === '$lte' ? `(${value} IS NULL)` : '0';
  params.push(sqlValue(bound));
  const types = typeof bound === 'string' ? "= 'text'" : typeof bound === 'number' ? "IN ('integer', 'real')" : "IN ('true', 'false')";
  return `(${value} ${COMPARISON[operator]} ? AND ${type} ${types})`;
}

/** Conditions on `id` compare strings (checked by `parseFindOptions`) with the id column. */
function idConditionSql(condition: FieldCondition, params: SqlValue[]): string {
  switch (condition.operator) {
    case '$exists':
      return condition.value ? '1' : '0';
    case '$in':
      if (condition.value.length === 0) return '0';
      params.push(...(condition.value as string[]));
      return `id IN (${placeholders(condition.value.length)})`;
    case '$eq':
    case '$ne':
      params.push(condition.value as string);
      return `id ${condition.operator === '$eq' ? '=' : '<>'} ?`;
    default:
      params.push(condition.value as string);
      return `id ${COMPARISON[condition.operator]} ?`;
  }
}

/**
 * Rows strictly after the cursor in the page order: (k1 after v1) OR (k1 = v1 AND k2 after v2) OR …
 * SQLite orders NULL first ascending and last descending, and compares values of different types
 * in that same order (NULL < numbers < text), so these comparisons follow ORDER BY exactly.
 */
function keysetSql(sort: SortKey[], after: FilterValue[], params: SqlValue[]): string {
  const branches: string[] = [];
  const equalities: string[] = [];
  const equalityParams: SqlValue[] = [];
  sort.forEach(({ field, direction }, index) => {
    const value = valueSql(field);
    const last = after[index] === null ? null : sqlValue(after[index]);
    const beyond =
      direction === 1
        ? last === null
          ? `${value} IS NOT NULL`
          : `${value} > ?`
        : last === null
          ? undefined
          : `(${value} < ? OR ${value} IS NULL)`;
    if (beyond !== undefined) {
      branches.push(`(${[...equalities, beyond].join(' AND ')})`);
      params.push(...equalityParams);
      if (last !== null) params.push(last);
    }
    equalities.push(last === null ? `${value} IS NULL` : `${value} IS ?`);
    if (last !== null) equalityParams.push(last);
  });
  return branches.length === 0 ? '0' : `(${branches.join(' OR ')})`;
}

function valueSql(field: string): string {
  return field === 'id' ? 'id' : `json_extract(body, '${jsonPath(field)}')`;
}

function typeSql(field: string): string {
  return `json_type(body, '${jsonPath(field)}')`;
}

/** `stats.total` → `$."stats"."total"`: quoted labels, so digit-only names stay object keys. */
function jsonPath(field: string): string {
  return `$${field
    .split('.')
    .map((segment) => `."${segment}"`)
    .join('')}`;
}

function sqlValue(value: FilterValue): SqlValue {
  return typeof value === 'boolean' ? Number(value) : value;
}

function placeholders(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}
