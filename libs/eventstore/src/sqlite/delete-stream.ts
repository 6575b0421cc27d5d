import type Database from 'better-sqlite3';

export type DeleteStream = (streamId: string) => void;

/**
 * Hard delete in one transaction: the rows go, and the stream's entry in `streams` stays as a
 * tombstone so the name can never be appended to again. Deleting twice, or deleting a stream that
 * never existed, leaves the same tombstone.
 */
export function createDeleteStream(db: Database.Database): DeleteStream {
  const deleteEvents = db.prepare('DELETE FROM events WHERE stream_id = ?');
  const tombstone = db.prepare(
    'INSERT INTO streams (stream_id, revision, deleted) VALUES (?, NULL, 1) ON CONFLICT (stream_id) DO UPDATE SET deleted = 1',
  );
  const deleteInTransaction = db.transaction((streamId: string) => {
    deleteEvents.run(streamId);
    tombstone.run(streamId);
  });
  return (streamId) => deleteInTransaction.immediate(streamId);
}
