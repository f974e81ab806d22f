import { NextResponse, type NextRequest } from 'next/server';
import { PATH_HEADER, secureCookies } from './lib/server/config';
import { csrfCookieName } from './lib/server/csrf';

/**
 * Runs before every page and route: gives the browser its CSRF token (the cookie half of the double-submit;
 * the root layout puts the same value in the page) the first time it comes, and tells the layouts the path.
 */
export function proxy(request: NextRequest): NextResponse {
  const name = csrfCookieName();
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  if (request.cookies.get(name)?.value) return NextResponse.next({ request: { headers } });

  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  // Also on this very request, so the page rendered now carries the token the browser is about to store.
  request.cookies.set(name, token);
  headers.set('cookie', request.cookies.toString());
  const response = NextResponse.next({ request: { headers } });
  // A browser-session cookie: it lives as long as the tabs whose pages carry it.
  response.cookies.set(name, token, { httpOnly: true, sameSite: 'lax', secure: secureCookies(), path: '/' });
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|icon.svg|favicon.ico).*)'],
};
