import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Application } from '../applications/application';
import { AuditService } from '../audit/audit.service';
import { sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';
import { AccessTokenVerifier } from '../sessions/access-token.verifier';
import { SessionsRepository } from '../sessions/sessions.repository';

const param = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** Parameters of a revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1) request. */
export const TokenStatusParams = z.object({
  token: param(4096).min(1, 'is required').optional(),
  token_type_hint: param(64).optional(),
  client_id: param(256).optional(),
  client_secret: param(512).optional(),
  client_assertion_type: param(128).optional(),
  client_assertion: param(8192).optional(),
});
export type TokenStatusParams = z.infer<typeof TokenStatusParams>;

/** Which kind to try first: the hint when it names one we issue (RFC 7009 §2.1: an unknown hint is ignored). */
export function tokenKindsInOrder(hint: string | undefined): Array<'access_token' | 'refresh_token'> {
  return hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
}

/**
 * RFC 7009 token revocation for the client a token was issued to. A refresh token ends its whole grant (every
 * token of its family); an access token is listed as revoked until it expires, which every resource that
 * accepts access tokens checks. A token that is unknown, expired, already revoked or another client's changes
 * nothing and is answered the same (§2.2), so the endpoint tells nobody what exists.
 */
@Injectable()
export class TokenRevocation {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokenVerifier,
    private readonly audit: AuditService,
  ) {}

  async revoke(project: Project, client: Application, token: string, hint: string | undefined): Promise<void> {
    const now = new Date();
    for (const kind of tokenKindsInOrder(hint)) {
      if (kind === 'refresh_token') {
        const revoked = await this.sessions.revokeRefreshTokenOfClient(
          sha256(token),
          { projectId: project.id, applicationId: client.id },
          now,
        );
        if (revoked) return this.record(project, client, 'refresh_token');
      } else {
        const signed = await this.accessTokens.readSigned(project, token);
        if (signed && signed.clientId === client.clientId) {
          await this.sessions.revokeAccessToken(project.id, signed.jti, signed.expiresAt);
          return this.record(project, client, 'access_token');
        }
      }
    }
  }

  private async record(project: Project, client: Application, tokenType: string): Promise<void> {
    await this.audit.record('oauth.token_revoked', {
      projectId: project.id,
      clientId: client.clientId,
      data: { tokenType },
    });
  }
}
