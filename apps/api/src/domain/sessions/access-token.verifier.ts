import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OAuthError } from '../../infra/http/errors';
import { IdentitiesRepository, type IdentityRow } from '../identities/identities.repository';
import { ACCESS_TOKEN_ALG, SigningKeysService } from '../keys/signing-keys.service';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from './sessions.repository';

export interface VerifiedAccessToken {
  identity: IdentityRow & { verifiedEmails: string[] };
  sessionId: string;
  scope: string;
  clientId: string | undefined;
}

/**
 * Authenticates a request to a protected resource of the issuer (RFC 6750 Bearer, RFC 9068 access
 * token) exactly as /oauth2/userinfo does: our signature, issuer and audience, and a session and
 * identity that are still alive. Failures are `invalid_token` (401).
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
    private readonly identities: IdentitiesRepository,
  ) {}

  async verify(project: Project, authorization: string | undefined): Promise<VerifiedAccessToken> {
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new OAuthError('invalid_token', 'a Bearer access token is required');
    const jwks = createLocalJWKSet(await this.keys.jwks(project.id));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: project.issuer,
      audience: project.issuer,
      typ: 'at+jwt',
      algorithms: [ACCESS_TOKEN_ALG],
      requiredClaims: ['sub', 'sid', 'scope'],
    }).catch(() => {
      throw new OAuthError('invalid_token', 'the access token is invalid or expired');
    });
    const sessionId = String(payload['sid']);
    const [sessionActive, identity] = await Promise.all([
      this.sessions.isActive(sessionId),
      // Joined in the same query: /oauth2/userinfo states email_verified from them.
      this.identities.findWithVerifiedEmails(project.id, String(payload.sub)),
    ]);
    if (!sessionActive || !identity || identity.state !== 'active')
      throw new OAuthError('invalid_token', 'the access token has been revoked');
    // RFC 9068 §2.2: client_id names the client the token was issued to (always set by our minter).
    const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
    return { identity, sessionId, scope: String(payload['scope']), clientId };
  }
}
