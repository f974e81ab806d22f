import type { Request } from 'express';
import { Strategy, type VerifyFunction } from 'passport-http-bearer';

/**
 * passport-http-bearer also takes the token from `?access_token=` and a body field `access_token`
 * (RFC 6750 §2.2, §2.3). URLs end up in logs, proxies and browser history (§2.3 says SHOULD NOT), and no
 * client needs either form, so the admin strategies show it the Authorization header and nothing else.
 */
export class HeaderOnlyBearerStrategy extends Strategy<VerifyFunction> {
  override authenticate(req: Request, options?: object): void {
    const headersOnly = { headers: { authorization: req.headers.authorization } } as Request;
    super.authenticate(headersOnly, options);
  }
}
