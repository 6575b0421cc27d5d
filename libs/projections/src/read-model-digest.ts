import { createHash } from 'node:crypto';
import type { ReadStore, Scope } from '@herald/readstore';
import { scopeKey } from './scope-guarded-session';

/**
 * A SHA-256 over every document of the given collections (all collections when absent) in every
 * scope, in a fixed order and with keys sorted, so two stores holding the same read models give the
 * same digest whatever order they were written in. Collections starting with `_` are bookkeeping.
 */
export async function readModelDigest(readStore: ReadStore, collections?: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const scopes = (await readStore.listScopes()).sort((a: Scope, b: Scope) => scopeKey(a).localeCompare(scopeKey(b)));
  for (const scope of scopes) {
    const scoped = readStore.forScope(scope);
    const names = (await scoped.listCollections())
      .filter((name) => !name.startsWith('_') && (!collections || collections.includes(name)))
      .sort();
    for (const name of names) {
      const collection = scoped.collection(name);
      let cursor: string | undefined;
      do {
        const page = await collection.find({ limit: 1000, cursor });
        for (const doc of page.items) hash.update(`${scopeKey(scope)}\u0000${name}\u0000${canonicalJson(doc)}\n`);
        cursor = page.nextCursor;
      } while (cursor);
    }
  }
  return hash.digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
