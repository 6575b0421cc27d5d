import type { FieldErrors } from './validation';

/** A failed call: Herald's problem+json answer, with its field errors by field name. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(detail || title);
    this.name = 'ApiError';
  }
}

/** Field errors of a problem body (`errors: [{ field, messages[] }]`), merged by field. */
export function fieldErrorsOf(errors: unknown): FieldErrors {
  const byField: FieldErrors = {};
  if (!Array.isArray(errors)) return byField;
  for (const entry of errors as unknown[]) {
    const { field, messages } = (entry ?? {}) as { field?: unknown; messages?: unknown };
    if (typeof field !== 'string' || !Array.isArray(messages)) continue;
    (byField[field] ??= []).push(...messages.filter((message): message is string => typeof message === 'string'));
  }
  return byField;
}

/** The error an answer that is not 2xx stands for; a body that is no problem+json still gives its status. */
export async function errorFrom(response: Response): Promise<ApiError> {
  const fallback = response.statusText || `Herald answered ${response.status}`;
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object') return new ApiError(response.status, fallback, '');
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return new ApiError(response.status, text(body.title) || fallback, text(body.detail), fieldErrorsOf(body.errors));
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface ApiHooks {
  /** The session's CSRF token, sent with every write. */
  csrfToken(): string | null;
  /** A call answered 401: the session ended (expired, revoked, signed out elsewhere). */
  unauthorized(): void;
}

let hooks: ApiHooks = { csrfToken: () => null, unauthorized: () => undefined };

export function configureApi(next: ApiHooks): void {
  hooks = next;
}

/** Calls whose 401 means "not signed in" rather than "the session ended". */
const SIGN_IN_PATHS = ['/auth/session', '/auth/operator'];

async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrfToken = method === 'GET' ? null : hooks.csrfToken();
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Herald could not be reached', 'Check the connection and try again.');
  }
  if (!response.ok) {
    if (response.status === 401 && !SIGN_IN_PATHS.includes(path)) hooks.unauthorized();
    throw await errorFrom(response);
  }
  if (response.status === 204 || response.headers.get('Content-Length') === '0') return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T = void>(path: string, body?: unknown) => call<T>('POST', path, body),
  put: <T = void>(path: string, body?: unknown) => call<T>('PUT', path, body),
  patch: <T = void>(path: string, body?: unknown) => call<T>('PATCH', path, body),
  delete: <T = void>(path: string) => call<T>('DELETE', path),
};

/** A path with every interpolated value URL-encoded: path`/api/v1/guilds/${guildId}/clan-tags/${tag}`. */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((built, part, index) => built + encodeURIComponent(String(values[index - 1])) + part);
}
