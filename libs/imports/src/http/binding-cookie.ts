import type { Request, Response } from 'express';
import type { BindingCookie } from '../commands/authorization-flow';

/** HttpOnly (no script reads it), SameSite=Lax (sent on the provider's top-level redirect back, not on cross-site posts). */
export function setBindingCookie(response: Response, cookie: BindingCookie): void {
  response.cookie(cookie.name, cookie.value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: cookie.secure,
    path: cookie.path,
    maxAge: cookie.maxAgeMs,
  });
}

export function clearBindingCookie(response: Response, cookie: Omit<BindingCookie, 'value'>): void {
  response.clearCookie(cookie.name, { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: cookie.path });
}

/** The cookie's value, as cookie-parser read it. */
export function bindingCookieOf(request: Request, name: string): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
