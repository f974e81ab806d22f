import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AccessRepository } from '../../domain/access/access.repository';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { parseApiKey } from '../../domain/access/api-key-format';
import { constantTimeEqual, sha256 } from '../../infra/crypto/tokens';
import { HeaderOnlyBearerStrategy } from './bearer';

/** `Authorization: Bearer kwk_<id>_<secret>`: a project's API key, acting with its role in its project. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderOnlyBearerStrategy, 'api-key') {
  constructor(private readonly access: AccessRepository) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    const parsed = parseApiKey(token);
    if (!parsed) return false;
    const key = await this.access.findApiKey(parsed.id);
    // An unknown id costs the same hash and comparison as a wrong secret.
    const valid = constantTimeEqual(sha256(parsed.secret), key?.secretHash ?? sha256(''));
    const now = new Date();
    if (!key || !valid || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return false;
    await this.access.touchApiKey(key.id, now);
    return { kind: 'api-key', id: key.id, name: key.name, projectId: key.projectId, role: key.role };
  }
}
