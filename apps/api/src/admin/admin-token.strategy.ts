import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';
import { constantTimeEqual } from '../crypto/tokens';

export interface AdminPrincipal {
  kind: 'bootstrap-token';
}

/** `Authorization: Bearer <KEYWAY_ADMIN_TOKEN>`: the bootstrap credential of the admin API. */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(Strategy, 'admin-token') {
  constructor(@Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig) {
    super();
  }

  validate(token: string): AdminPrincipal | false {
    return constantTimeEqual(token, this.config.adminToken) ? { kind: 'bootstrap-token' } : false;
  }
}
