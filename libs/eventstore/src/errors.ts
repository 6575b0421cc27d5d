import type { ExpectedRevision } from './event-store.port';

export class WrongExpectedRevision extends Error {
  readonly code = 'EVENTSTORE.WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${expected}, actual ${actual}`);
    this.name = 'WrongExpectedRevision';
  }
}

export class StreamDeleted extends Error {
  readonly code = 'EVENTSTORE.STREAM_DELETED';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} was deleted`);
    this.name = 'StreamDeleted';
  }
}

/** The store cannot be reached (maps to 503). */
export class EventStoreUnavailable extends Error {
  readonly code = 'EVENTSTORE.UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailable';
  }
}
