'use strict';
// The three systems under test behind one small shape, so each workload is written once:
//   append(streamId, events)  one atomic, durable append (one transaction)
//   readAll()                 reads the whole log in global order and returns the event count
//   close()
//   note()                    optional: anything the figures need said (retries)
const { betterSqlite3 } = require('./harness');

const READ_PAGE_SIZE = 1000;
const MAX_EMMETT_ATTEMPTS = 5;

/**
 * The floor: plain better-sqlite3 with the settings Herald promises (WAL, synchronous=FULL), one
 * table without secondary indexes, no concurrency check. Data and metadata are serialised as JSON,
 * as every store must.
 */
function rawSqlite(file) {
  const Database = betterSqlite3();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (
    position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
    id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  // Rows as arrays, in keyset pages: measured cheaper than one statement over every row (whether
  // iterated or fetched at once, which keeps the whole log alive for the garbage collector).
  const selectPage = db
    .prepare('SELECT position, stream_id, revision, id, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?')
    .raw();
  const revisions = new Map();
  const insertRows = db.transaction((streamId, events) => {
    let revision = revisions.get(streamId) ?? -1;
    for (const event of events) {
      insert.run(streamId, ++revision, event.id, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
    }
    revisions.set(streamId, revision);
  });
  return {
    name: 'raw better-sqlite3',
    append: (streamId, events) => insertRows(streamId, events),
    readAll() {
      let count = 0;
      let after = 0;
      for (;;) {
        const rows = selectPage.all(after, READ_PAGE_SIZE);
        if (rows.length === 0) return count;
        for (const row of rows) {
          row[5] = JSON.parse(row[5]);
          row[6] = JSON.parse(row[6]);
        }
        count += rows.length;
        after = rows[rows.length - 1][0];
      }
    },
    close: () => db.close(),
  };
}

/** Herald's SQLite event store (compiled, from dist/), appending with the stream's real revision. */
async function heraldSqlite(herald, file, storeOptions = {}) {
  const store = await herald.createSqliteEventStore({ ...storeOptions, path: file });
  const revisions = new Map();
  return {
    name: 'Herald SQLite',
    async append(streamId, events) {
      const expectedRevision = revisions.has(streamId) ? revisions.get(streamId) : 'no_stream';
      const result = await store.append(streamId, events, { expectedRevision });
      revisions.set(streamId, result.nextExpectedRevision);
    },
    async readAll() {
      let count = 0;
      let fromPosition;
      for (;;) {
        const page = await store.readAll({ fromPosition, maxCount: READ_PAGE_SIZE });
        if (page.length === 0) return count;
        count += page.length;
        fromPosition = page[page.length - 1].position + 1;
      }
    },
    close: () => store.close(),
  };
}

/**
 * Emmett's SQLite event store as its README uses it: `getSQLiteEventStore` + `appendToStream` with
 * `expectedStreamVersion` (0n for a new stream). Its event store has no global read, so the whole
 * log is read the way its consumers do: `readMessagesBatch` pages over one connection.
 */
function emmettSqlite(file) {
  const emmett = require('@event-driven-io/emmett-sqlite');
  const store = emmett.getSQLiteEventStore({ fileName: file });
  const versions = new Map();
  let busyRetries = 0;
  const toEmmett = (event) => ({ type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.id } });
  return {
    name: 'Emmett SQLite',
    async append(streamId, events) {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await store.appendToStream(streamId, events.map(toEmmett), {
            expectedStreamVersion: versions.get(streamId) ?? 0n,
          });
          versions.set(streamId, result.nextExpectedStreamVersion);
          return;
        } catch (error) {
          // Emmett 0.38.5 can COMMIT before sqlite3 has finalised its `INSERT/UPDATE … RETURNING`
          // statement: the commit fails with SQLITE_BUSY and the append is rolled back. Retry, as a caller must.
          if (error?.code !== 'SQLITE_BUSY' || attempt === MAX_EMMETT_ATTEMPTS) throw error;
          busyRetries++;
        }
      }
    },
    note: () => (busyRetries > 0 ? `${busyRetries} append(s) retried after Emmett's SQLITE_BUSY on COMMIT` : ''),
    async readAll() {
      const connection = emmett.sqliteConnection({ fileName: file });
      try {
        let count = 0;
        let options = { from: 0n, batchSize: READ_PAGE_SIZE };
        for (;;) {
          const batch = await emmett.readMessagesBatch(connection, options);
          count += batch.messages.length;
          if (!batch.areEventsLeft) return count;
          options = { after: batch.currentGlobalPosition, batchSize: READ_PAGE_SIZE };
        }
      } finally {
        connection.close();
      }
    },
    // Emmett opens and closes a connection around every call on a file database.
    close: async () => undefined,
  };
}

module.exports = { rawSqlite, heraldSqlite, emmettSqlite, READ_PAGE_SIZE };
