import { EventStoreUnavailable } from '../errors';

/** SQLite result codes that mean "the file cannot be used right now", not "the request is wrong". */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|PROTOCOL)/;

/**
 * Turns a lock held too long by another process, a closed connection or an I/O failure into
 * `EventStoreUnavailable` (503); every other error passes through unchanged.
 */
export function translateSqliteError(error: unknown): unknown {
  if (isError(error)) {
    const code = error.code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) {
      return new EventStoreUnavailable(`SQLite event log unavailable: ${error.message}`, { cause: error });
    }
    // better-sqlite3's TypeError comes from another realm under Jest, so match the message only.
    if (error.message.includes('database connection is not open')) {
      return new EventStoreUnavailable('SQLite event log is closed', { cause: error });
    }
  }
  return error;
}

/** Runs a synchronous store operation, translating its failures. */
export function runTranslated<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

function isError(value: unknown): value is Error & { code?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}
