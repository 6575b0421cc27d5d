import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyStore, WrappedDataKey } from './key-store.port';

export interface SqliteKeyStoreOptions {
  /** Its own file (e.g. `<dataDir>/keys.sqlite`), never the event log's: keys must be deletable for good. */
  path: string;
}

interface KeyRow {
  key_id: string;
  iv: string;
  tag: string;
  ct: string;
}

export function createSqliteKeyStore(options: SqliteKeyStoreOptions): KeyStore {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Deleted keys are overwritten in the file rather than left in free pages.
  db.pragma('secure_delete = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
    subject TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    iv TEXT NOT NULL,
    tag TEXT NOT NULL,
    ct TEXT NOT NULL
  ) WITHOUT ROWID`);

  const select = db.prepare<[string], KeyRow>('SELECT key_id, iv, tag, ct FROM data_keys WHERE subject = ?');
  const insertIfAbsent = db.prepare(
    'INSERT INTO data_keys (subject, key_id, iv, tag, ct) VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING',
  );
  const remove = db.prepare('DELETE FROM data_keys WHERE subject = ?');
  const fromRow = (row: KeyRow | undefined): WrappedDataKey | null =>
    row === undefined ? null : { keyId: row.key_id, iv: row.iv, tag: row.tag, ct: row.ct };
  // One transaction, so the key read back is the one that stands even against another process.
  const createKey = db.transaction((subject: string, key: WrappedDataKey): WrappedDataKey => {
    insertIfAbsent.run(subject, key.keyId, key.iv, key.tag, key.ct);
    return fromRow(select.get(subject)) as WrappedDataKey;
  });

  return {
    getKey: async (subject) => fromRow(select.get(subject)),
    createKey: async (subject, key) => createKey.immediate(subject, key),
    deleteKey: async (subject) => {
      const deleted = remove.run(subject).changes > 0;
      // Move the overwritten pages out of the WAL too, so the old key survives nowhere in the files.
      if (deleted) db.pragma('wal_checkpoint(TRUNCATE)');
      return deleted;
    },
    close: async () => {
      db.close();
    },
  };
}
