import { createHash } from 'node:crypto';
import { csrfTokenFor, isCsrfTokenOf, isSafeMethod, sameSecret } from './web-session';

describe('the CSRF token of a console session', () => {
  const session = 'hrld_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

  it('is base64url(SHA-256("herald-csrf:" + session token)), as the contract says', () => {
    const expected = createHash('sha256').update(`herald-csrf:${session}`).digest('base64url');
    expect(csrfTokenFor(session)).toBe(expected);
    expect(csrfTokenFor(session)).not.toContain(session.slice(5, 15));
  });

  it("accepts only the session's own token", () => {
    expect(isCsrfTokenOf(session, csrfTokenFor(session))).toBe(true);
    expect(isCsrfTokenOf(session, csrfTokenFor(`${session}x`))).toBe(false);
    expect(isCsrfTokenOf(session, '')).toBe(false);
    expect(isCsrfTokenOf(session, undefined)).toBe(false);
    expect(isCsrfTokenOf(session, session)).toBe(false);
  });

  it('is needed by every method but GET, HEAD and OPTIONS', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].filter(isSafeMethod)).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].filter(isSafeMethod)).toEqual([]);
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('short', 'short')).toBe(true);
    expect(sameSecret('short', 'a much longer secret')).toBe(false);
  });
});
