import { timingSafeEqual } from 'node:crypto';
import { parse, serialize } from 'cookie';
import { randomToken } from '../../infra/crypto/tokens';

/** 256 random bits in base64url. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF protection of the hosted forms by double submit: a random token in an HttpOnly, SameSite=Lax cookie
 * and the same token in a hidden field. Another site can make a browser post a form but can neither read
 * nor set the cookie, so it cannot send a matching pair. Over https the cookie is `__Host-` prefixed
 * (Secure, Path=/, no Domain), which also keeps sibling subdomains from planting one.
 */
export class CsrfTokens {
  private readonly name: string;

  constructor(private readonly secure: boolean) {
    this.name = secure ? '__Host-keyway-csrf' : 'keyway-csrf';
  }

  /** The browser's token, when its cookie carries a well-formed one. */
  read(cookieHeader: string | undefined): string | undefined {
    if (!cookieHeader) return undefined;
    const value = parse(cookieHeader)[this.name];
    return value !== undefined && TOKEN_FORMAT.test(value) ? value : undefined;
  }

  /** The token a page's forms carry: the browser's own, or a new one with the Set-Cookie that gives it. */
  forPage(cookieHeader: string | undefined): { token: string; setCookie?: string } {
    const existing = this.read(cookieHeader);
    if (existing) return { token: existing };
    const token = randomToken(32);
    return {
      token,
      setCookie: serialize(this.name, token, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' }),
    };
  }

  /** Whether the posted field matches the cookie, compared in constant time. */
  matches(cookieHeader: string | undefined, posted: unknown): boolean {
    const expected = this.read(cookieHeader);
    if (!expected || typeof posted !== 'string' || !TOKEN_FORMAT.test(posted)) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(posted));
  }
}
