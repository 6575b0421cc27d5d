import { ErrorType } from '@eventstore/db-client';
import type { ExpectedRevision } from '../event-store.port';
import { EventStoreUnavailable, StreamDeleted, WrongExpectedRevision } from '../errors';

/** Error types of the client that mean "the server cannot be reached or did not answer in time". */
const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
]);

/**
 * gRPC status codes (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE) of errors the client passes on
 * unconverted, e.g. when no connection could be made before an append.
 */
const UNAVAILABLE_GRPC_CODES: ReadonlySet<unknown> = new Set([1, 4, 14]);

interface ClientError extends Error {
  type?: unknown;
  code?: unknown;
  streamName?: unknown;
  actualVersion?: unknown;
}

/** True for the client's "server gone" errors; a subscription resubscribes after them. */
export function isTransientEsdbError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { type, code } = error as ClientError;
  if (typeof type === 'string') return UNAVAILABLE_TYPES.has(type);
  // Cluster discovery gives up with a plain Error before any gRPC call is made.
  return UNAVAILABLE_GRPC_CODES.has(code) || error.message.startsWith('Failed to discover');
}

/**
 * Maps the client's errors onto the port's, by `error.type` rather than `instanceof` (two copies of
 * the client in node_modules would break `instanceof`). Unknown errors pass through unchanged.
 */
export function translateEsdbError(
  error: unknown,
  context: { streamId?: string; expectedRevision?: ExpectedRevision } = {},
): unknown {
  if (!(error instanceof Error)) return error;
  const clientError = error as ClientError;
  const streamId = context.streamId ?? (typeof clientError.streamName === 'string' ? clientError.streamName : '');
  switch (clientError.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return new WrongExpectedRevision(
        streamId,
        context.expectedRevision ?? 'any',
        toActualRevision(clientError.actualVersion),
      );
    case ErrorType.STREAM_DELETED:
      return new StreamDeleted(streamId);
  }
  if (isTransientEsdbError(error)) {
    return new EventStoreUnavailable(`EventStoreDB unavailable: ${error.message}`, { cause: error });
  }
  return error;
}

/** `actualVersion` is a bigint revision or the string `no_stream`, never `-1n`. */
function toActualRevision(actual: unknown): number | 'no_stream' {
  return typeof actual === 'bigint' || typeof actual === 'number' ? Number(actual) : 'no_stream';
}
