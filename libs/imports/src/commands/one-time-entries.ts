import type { Collection, Document } from '@herald/readstore';

/** Something that can be used once before it expires: a started authorization, a connect link. */
export interface OneTimeEntry extends Document {
  /** SHA-256 of the bearer value (state, ticket): the store never holds one a caller could present. */
  id: string;
  pluginId: string;
  userId: string;
  expiresAt: string;
}

export type Taken<T> = { taken: T } | { refused: 'unknown' | 'mismatch' };

/** Expired entries are kept this long, so a late callback is told "expired" rather than "unknown". */
const KEEP_EXPIRED_MS = 24 * 3_600_000;

/**
 * Single-use entries in a read-store collection shared by every Herald process, so a restart or a
 * second instance can complete what the first began. Taking one deletes it, and only the caller
 * whose delete succeeded gets it: a replay, even a concurrent one, finds nothing.
 */
export class OneTimeEntries<T extends OneTimeEntry> {
  constructor(private readonly collection: Collection<T>) {}

  async put(entry: T, now: Date): Promise<void> {
    await this.purgeExpired(now);
    await this.collection.upsert(entry);
  }

  /** Takes the entry when `accepts` it; a refused entry stays, so a stranger holding the id cannot spend it. */
  async take(id: string, accepts: (entry: T) => boolean): Promise<Taken<T>> {
    const entry = await this.collection.get(id);
    if (entry === null) return { refused: 'unknown' };
    if (!accepts(entry)) return { refused: 'mismatch' };
    return (await this.collection.delete(id)) ? { taken: entry } : { refused: 'unknown' };
  }

  private async purgeExpired(now: Date): Promise<void> {
    const before = new Date(now.getTime() - KEEP_EXPIRED_MS).toISOString();
    const expired = await this.collection.find({ filter: { expiresAt: { $lt: before } }, limit: 100 });
    for (const entry of expired.items) await this.collection.delete(entry.id);
  }
}
