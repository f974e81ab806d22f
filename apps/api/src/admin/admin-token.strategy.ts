import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy, type VerifyFunction } from 'passport-http-bearer';
import { KEYWAY_CONFIG, type KeywayConfig } from '../infra/config/config';
import { constantTimeEqual } from '../infra/crypto/tokens';

export interface AdminPrincipal {
  kind: 'bootstrap-token';
}

/**
 * passport-http-bearer also takes the token from `?access_token=` and a body field `access_token`
 * (RFC 6750 §2.2, §2.3). URLs end up in logs, proxies and browser history (§2.3 says SHOULD NOT), and no
 * client needs either form, so this strategy shows it the Authorization header and nothing else.
 */
class HeaderOnlyBearerStrategy extends Strategy<VerifyFunction> {
  override authenticate(req: Request, options?: object): void {
    const headersOnly = { headers: { authorization: req.headers.authorization } } as Request;
    super.authenticate(headersOnly, options);
  }
}

/** `Authorization: Bearer <KEYWAY_ADMIN_TOKEN>`: the bootstrap credential of the admin API. */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(HeaderOnlyBearerStrategy, 'admin-token') {
  constructor(@Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig) {
    super();
  }

  validate(token: string): AdminPrincipal | false {
    return constantTimeEqual(token, this.config.adminToken) ? { kind: 'bootstrap-token' } : false;
  }
}
