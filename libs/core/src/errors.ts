/** One invalid input field and what is wrong with it. */
export interface FieldError {
  /** Path of the field in the request, e.g. `items[0].name` or `page`. */
  field: string;
  messages: string[];
}

export interface HeraldErrorInit {
  /** `AREA.REASON`, e.g. `TOKEN.NOT_FOUND`. */
  code: string;
  status: number;
  title: string;
  detail?: string;
  errors?: FieldError[];
  /** Response headers the error requires (e.g. `WWW-Authenticate` on 401). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Options shared by the subclasses: a more specific code, field errors, the cause. */
export interface HeraldErrorOptions {
  code?: string;
  errors?: FieldError[];
  cause?: unknown;
}

/**
 * An expected failure, answered as problem+json with its own status. The message (`detail`) is
 * shown to callers, so it never carries a token, a secret or personal data.
 */
export class HeraldError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(init: HeraldErrorInit) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }
}

export class InvalidInput extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'INPUT.INVALID',
      status: 400,
      title: 'Invalid input',
      detail,
      ...sharedOptions(options),
    });
  }
}

export class Unauthenticated extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'AUTH.UNAUTHENTICATED',
      status: 401,
      title: 'Unauthenticated',
      detail,
      // RFC 9110: a 401 names the scheme the caller should use.
      headers: { 'WWW-Authenticate': 'Bearer' },
      ...sharedOptions(options),
    });
  }
}

export class Forbidden extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'AUTH.FORBIDDEN',
      status: 403,
      title: 'Forbidden',
      detail,
      ...sharedOptions(options),
    });
  }
}

export class NotFound extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'RESOURCE.NOT_FOUND',
      status: 404,
      title: 'Not found',
      detail,
      ...sharedOptions(options),
    });
  }
}

export class ConcurrencyConflict extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'STREAM.CONCURRENCY_CONFLICT',
      status: 409,
      title: 'Concurrency conflict',
      detail,
      ...sharedOptions(options),
    });
  }
}

export class TooManyRequests extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions & { retryAfterSeconds?: number } = {}) {
    super({
      code: options.code ?? 'RATE.LIMITED',
      status: 429,
      title: 'Too many requests',
      detail,
      headers:
        options.retryAfterSeconds === undefined
          ? undefined
          : { 'Retry-After': String(Math.ceil(options.retryAfterSeconds)) },
      ...sharedOptions(options),
    });
  }
}

export class StoreUnavailable extends HeraldError {
  constructor(detail?: string, options: HeraldErrorOptions = {}) {
    super({
      code: options.code ?? 'STORE.UNAVAILABLE',
      status: 503,
      title: 'Store unavailable',
      detail,
      ...sharedOptions(options),
    });
  }
}

function sharedOptions(options: HeraldErrorOptions): Pick<HeraldErrorInit, 'errors' | 'cause'> {
  return { errors: options.errors, cause: options.cause };
}
