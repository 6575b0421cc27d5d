import type Database from 'better-sqlite3';

export type DeleteStream = (streamId: string) => void;

/**
 * Hard delete in one transaction: the rows go, and the stream's name goes into `deleted_streams` so
 * it can never be appended to again, with the log's head so that no append takes a deleted position.
 * Deleting twice, or deleting a stream that never existed, leaves the name dead.
 */
export function createDeleteStream(db: Database.Database): DeleteStream {
  const deleteEvents = db.prepare('DELETE FROM events WHERE stream_id = ?');
  // Before the rows go: when the stream holds the head, the head is what must not be handed out again.
  const tombstone = db.prepare(
    `INSERT INTO deleted_streams (stream_id, head_position) VALUES (?, coalesce((SELECT max(position) FROM events), 0))
     ON CONFLICT (stream_id) DO UPDATE SET head_position = max(head_position, excluded.head_position)`,
  );
  const deleteInTransaction = db.transaction((streamId: string) => {
    tombstone.run(streamId);
    deleteEvents.run(streamId);
  });
  return (streamId) => deleteInTransaction.immediate(streamId);
}
