import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';

/** An HttpOnly cookie Herald sets: a browser session, or the binding of an OAuth redirect to the browser that began it. */
export interface HttpOnlyCookie {
  name: string;
  value: string;
  path: string;
  maxAgeMs: number;
  /** Only over TLS. */
  secure: boolean;
}

/** HttpOnly (no script reads it), SameSite=Lax (sent on a top-level navigation back from a provider, not on cross-site posts). */
export function setHttpOnlyCookie(response: Response, cookie: HttpOnlyCookie): void {
  response.cookie(cookie.name, cookie.value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: cookie.secure,
    path: cookie.path,
    maxAge: cookie.maxAgeMs,
  });
}

export function clearHttpOnlyCookie(response: Response, cookie: Omit<HttpOnlyCookie, 'value' | 'maxAgeMs'>): void {
  response.clearCookie(cookie.name, { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: cookie.path });
}

const parseCookies = cookieParser();

/**
 * A cookie's value from the request, or undefined when absent or empty. Any request will do, a
 * WebSocket upgrade included: when no middleware parsed the `Cookie` header yet, cookie-parser
 * parses it here, once, and leaves the result on the request.
 */
export function cookieOf(request: IncomingMessage, name: string): string | undefined {
  const parsed = request as IncomingMessage & { cookies?: Record<string, unknown> };
  if (parsed.cookies === undefined) parseCookies(request as Request, undefined as unknown as Response, () => undefined);
  const value = parsed.cookies?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Whether the browser reached Herald over TLS: on this connection, or through an https public URL
 * (a proxy in front terminates TLS). X-Forwarded-Proto is not read: Herald trusts no proxy header.
 */
export function cameOverTls(request: IncomingMessage, publicUrl: string): boolean {
  return (request.socket as Partial<TLSSocket>).encrypted === true || publicUrl.startsWith('https:');
}
