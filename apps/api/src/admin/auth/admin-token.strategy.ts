import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { constantTimeEqual } from '../../infra/crypto/tokens';
import { HeaderOnlyBearerStrategy } from './bearer';

/** `Authorization: Bearer <KEYWAY_ADMIN_TOKEN>`: the instance's root automation token. */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(HeaderOnlyBearerStrategy, 'admin-token') {
  constructor(@Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig) {
    super();
  }

  validate(token: string): AdminPrincipal | false {
    return constantTimeEqual(token, this.config.adminToken) ? { kind: 'root' } : false;
  }
}
