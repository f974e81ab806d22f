import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { CSRF_HEADER } from '../console-wire';
import { consoleUrl, cookieName } from './config';
import { errorResponse } from './responses';

/** The cookie half of the double-submit token; src/proxy.ts issues it, the root layout hands it to the page. */
export const csrfCookieName = () => cookieName('keyway-console-csrf');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery, refused twice over for every state-changing request: the `Origin` must be the
 * console's own (browsers always send it on such requests, and a page elsewhere cannot forge it), and the
 * `x-keyway-csrf` header must equal the CSRF cookie — a value another site can neither read nor set (httpOnly,
 * SameSite=Lax, `__Host-` on https). Returns the refusal, or undefined when the request may proceed.
 */
export function refuseCrossSite(request: NextRequest): Response | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.get('origin');
  const expected = consoleUrl().origin;
  if (origin !== expected)
    return forbidden(
      origin
        ? `Requests that change something must come from the console's own pages (${expected}), not ${origin}.`
        : `Requests that change something must carry an Origin header (the console at ${expected} sends one).`,
    );
  const header = request.headers.get(CSRF_HEADER) ?? '';
  const cookie = request.cookies.get(csrfCookieName())?.value ?? '';
  if (!cookie || !header || !sameText(header, cookie))
    return forbidden(`The ${CSRF_HEADER} header must carry the page's CSRF token: reload the page and try again.`);
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

function forbidden(description: string): Response {
  return errorResponse(403, 'KW-40300', 'Forbidden.', description);
}
