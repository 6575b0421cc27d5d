import type { NewEvent } from '@herald/core';
import type { ExpectedRevision } from './event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rejects an append that no adapter could store the same way: the checks are the ones
 * EventStoreDB makes (uuid ids, a non-negative integer revision), so the embedded store refuses
 * what production would refuse. Programming errors, hence `RangeError`, not a domain error.
 */
export function assertValidAppend(
  streamId: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new RangeError('append: the stream id must be a non-empty string');
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new RangeError(`append to ${streamId}: at least one event is required`);
  }
  if (typeof expectedRevision === 'number') {
    if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) {
      throw new RangeError(
        `append to ${streamId}: expected revision ${expectedRevision} is not a non-negative integer`,
      );
    }
  } else if (expectedRevision !== 'no_stream' && expectedRevision !== 'stream_exists' && expectedRevision !== 'any') {
    throw new RangeError(`append to ${streamId}: unknown expected revision ${String(expectedRevision)}`);
  }
  for (const event of events) {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new RangeError(`append to ${streamId}: event id ${String(event.id)} is not a uuid`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new RangeError(`append to ${streamId}: event ${event.id} has no type`);
    }
    if (
      typeof event.data !== 'object' ||
      event.data === null ||
      typeof event.metadata !== 'object' ||
      event.metadata === null
    ) {
      throw new RangeError(`append to ${streamId}: event ${event.id} needs object data and metadata`);
    }
  }
}

/** Validates a count option (`maxCount`, `maxBatchSize`): a positive integer, or absent. */
export function assertPositiveCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/** Validates a place in a stream or in the log (`fromRevision`, `fromPosition`, `afterPosition`). */
export function assertPlace(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
