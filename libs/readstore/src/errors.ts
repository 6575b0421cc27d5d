/** The read store cannot be reached (maps to 503). */
export class ReadStoreUnavailable extends Error {
  readonly code = 'READSTORE.UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReadStoreUnavailable';
  }
}

/** A filter, sort, limit, cursor, name, scope, document or checkpoint the store cannot accept. */
export class InvalidReadQuery extends Error {
  readonly code = 'READSTORE.INVALID_QUERY';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReadQuery';
  }
}
