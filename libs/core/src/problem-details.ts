import { BadRequestException, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { EventStoreUnavailable, WrongExpectedRevision } from '@herald/eventstore';
import { ReadStoreUnavailable } from '@herald/readstore';
import { ConcurrencyConflict, type FieldError, HeraldError, InvalidInput, StoreUnavailable } from './errors';

/** An RFC 9457 problem document, the body of every REST error. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export interface ProblemResponse {
  problem: ProblemDetails;
  headers: Record<string, string>;
  /** True when the error is not an expected outcome: it is logged, and its message never shown. */
  unexpected: boolean;
}

/** The part of an HTTP request the mapping looks at. */
export interface ProblemRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem type is `https://herald.dev/problems/<code-slug>`, e.g. `INPUT.INVALID` → `input-invalid`. */
export function problemType(code: string): string {
  return `https://herald.dev/problems/${code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/**
 * Maps anything thrown while serving a request to the problem document answered for it. Only
 * Herald's own errors and client errors say what went wrong; anything else is a generic 500.
 */
export function toProblemResponse(exception: unknown, request?: ProblemRequest): ProblemResponse {
  if (exception instanceof HeraldError) {
    return fromHeraldError(exception);
  }
  if (exception instanceof WrongExpectedRevision) {
    return fromHeraldError(new ConcurrencyConflict('The resource was changed concurrently; retry the request.'));
  }
  if (exception instanceof EventStoreUnavailable) {
    return fromHeraldError(new StoreUnavailable('The event store is unavailable.'));
  }
  if (exception instanceof ReadStoreUnavailable) {
    return fromHeraldError(new StoreUnavailable('The read store is unavailable.'));
  }
  if (isMalformedJsonBody(exception, request)) {
    return fromHeraldError(
      new InvalidInput('The request body is not valid JSON.', {
        code: 'INPUT.MALFORMED_JSON',
        errors: [{ field: 'body', messages: ['body must be valid JSON'] }],
      }),
      'Malformed JSON',
    );
  }
  if (isBodyParserError(exception)) {
    return fromBodyParserError(exception);
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return fromHttpException(exception);
  }
  return internalError();
}

function fromHeraldError(error: HeraldError, title = error.title): ProblemResponse {
  return {
    problem: {
      type: problemType(error.code),
      title,
      status: error.status,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.errors === undefined ? {} : { errors: error.errors }),
    },
    headers: error.headers,
    unexpected: error.status >= 500 && error.status !== 503,
  };
}

function fromHttpException(exception: HttpException): ProblemResponse {
  const status = exception.getStatus();
  return {
    problem: {
      type: problemType(`HTTP.${statusName(status)}`),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: httpExceptionDetail(exception),
    },
    headers: {},
    unexpected: false,
  };
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** What the express body parsers (body-parser / http-errors) raise: a `type` and a status. */
interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  limit?: number;
  message: string;
}

function isBodyParserError(exception: unknown): exception is BodyParserError {
  if (!(exception instanceof Error)) return false;
  const candidate = exception as Partial<BodyParserError>;
  return typeof candidate.type === 'string' && typeof candidate.status === 'number';
}

function fromBodyParserError(error: BodyParserError): ProblemResponse {
  switch (error.type) {
    case 'entity.too.large': {
      const limit = error.limit === undefined ? 'the limit' : `the limit of ${error.limit} bytes`;
      return fromHeraldError(
        new InvalidInput(`The request body exceeds ${limit}.`, {
          code: 'INPUT.BODY_TOO_LARGE',
          errors: [{ field: 'body', messages: [`body must not exceed ${limit}`] }],
        }),
        'Request body too large',
      );
    }
    default:
      // http-errors marks client errors whose message is safe to show as `expose`.
      if (error.status >= 400 && error.status < 500 && error.expose) {
        return fromHttpException(new HttpException(error.message, error.status));
      }
      return internalError();
  }
}

/**
 * Nest turns a body-parser SyntaxError into a bare BadRequestException carrying the parser's
 * message, which quotes the body (a token, maybe). It is recognised by its request instead: a
 * JSON body that never became `req.body`.
 */
function isMalformedJsonBody(exception: unknown, request: ProblemRequest | undefined): boolean {
  if (exception instanceof Error && (exception as Partial<BodyParserError>).type === 'entity.parse.failed') {
    return true;
  }
  if (!(exception instanceof BadRequestException) || request === undefined) return false;
  const contentType = String(request.headers['content-type'] ?? '');
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  return hasBody && request.body === undefined && /\bjson\b/i.test(contentType);
}

function internalError(): ProblemResponse {
  return {
    problem: {
      type: problemType('SERVER.INTERNAL'),
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred. It has been logged.',
    },
    headers: {},
    unexpected: true,
  };
}

function statusName(status: number): string {
  return (STATUS_CODES[status] ?? String(status)).toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
