import type { Filter as MongoFilter } from 'mongodb';
import type { FieldCondition, FindQuery, SortKey } from '../find-query';
import type { FilterValue } from '../read-store.port';
import type { MongoScopeLayout, StoredDocument } from './mongo-scopes';

/**
 * `FindQuery` to a MongoDB filter and sort. The port's filter language is a subset of MongoDB's, so
 * conditions keep their operators; `id` becomes `_id` (with the scope's key prefix), and the scope
 * filter and the cursor's keyset are and-ed in. Values were checked to be scalars, so no operator can
 * be smuggled in through a filter value or a cursor.
 */
export function mongoFilter(
  layout: MongoScopeLayout,
  conditions: FieldCondition[],
  page?: Pick<FindQuery, 'sort' | 'after'>,
): MongoFilter<StoredDocument> {
  const clauses: MongoFilter<StoredDocument>[] = [];
  if (layout.scopeFilter) clauses.push(layout.scopeFilter);
  for (const condition of conditions) clauses.push(conditionClause(layout, condition));
  if (page?.after) clauses.push(keysetClause(layout, page.sort, page.after));
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

/** Sort keys in priority order; a Map keeps that order even for field names that look like numbers. */
export function mongoSort(sort: SortKey[]): Map<string, 1 | -1> {
  return new Map(sort.map(({ field, direction }) => [storedPath(field), direction]));
}

function conditionClause(layout: MongoScopeLayout, condition: FieldCondition): MongoFilter<StoredDocument> {
  if (condition.field !== 'id' || condition.operator === '$exists') {
    return { [storedPath(condition.field)]: { [condition.operator]: condition.value } };
  }
  const value =
    condition.operator === '$in' ? condition.value.map((id) => layout.key(id as string)) : layout.key(condition.value as string);
  return { _id: { [condition.operator]: value } };
}

/**
 * Documents strictly after the cursor in the page order: (k1 after v1) OR (k1 = v1 AND k2 after v2) OR …
 * MongoDB sorts a missing field as null, before every value ascending and after every value descending,
 * and `{ field: null }` matches both, so null cursor values follow the sort exactly.
 */
function keysetClause(layout: MongoScopeLayout, sort: SortKey[], after: FilterValue[]): MongoFilter<StoredDocument> {
  const branches: MongoFilter<StoredDocument>[] = [];
  const equalities: MongoFilter<StoredDocument>[] = [];
  sort.forEach(({ field, direction }, index) => {
    const path = storedPath(field);
    const last = field === 'id' ? layout.key(after[index] as string) : after[index];
    const beyond =
      direction === 1
        ? { [path]: last === null ? { $ne: null } : { $gt: last } }
        : last === null
          ? undefined
          : { $or: [{ [path]: { $lt: last } }, { [path]: null }] };
    if (beyond) branches.push(equalities.length === 0 ? beyond : { $and: [...equalities, beyond] });
    equalities.push({ [path]: { $eq: last } });
  });
  return branches.length === 0 ? { _id: { $exists: false } } : { $or: branches };
}

function storedPath(field: string): string {
  return field === 'id' ? '_id' : field;
}
