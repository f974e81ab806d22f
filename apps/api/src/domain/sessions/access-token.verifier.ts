import { Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { OAuthError } from '../../infra/http/errors';
import { IdentitiesRepository, type IdentityRow } from '../identities/identities.repository';
import { ACCESS_TOKEN_ALG } from '../keys/signing-key-lifecycle';
import { SigningKeysService } from '../keys/signing-keys.service';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from './sessions.repository';

export interface VerifiedAccessToken {
  identity: IdentityRow & { verifiedEmails: string[] };
  sessionId: string;
  scope: string;
  clientId: string | undefined;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** An access token this issuer signed and that has not expired, read without asking whether it is still live. */
export interface SignedAccessToken {
  jti: string;
  subject: string;
  sessionId: string;
  scope: string;
  clientId: string | undefined;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * Authenticates a request to a protected resource of the issuer (RFC 6750 Bearer, RFC 9068 access
 * token) exactly as /oauth2/userinfo does: our signature, issuer and audience, not revoked (RFC 7009), and a
 * session and identity that are still alive. Failures are `invalid_token` (401). Introspection asks the same.
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
    return this.verifyToken(project, token);
  }

  /** The token itself, checked as `verify` checks a Bearer header's. */
  async verifyToken(project: Project, token: string): Promise<VerifiedAccessToken> {
    const signed = await this.readSigned(project, token);
    if (!signed) throw new OAuthError('invalid_token', 'the access token is invalid or expired');
    const [sessionActive, identity, revoked] = await Promise.all([
      this.sessions.isActive(signed.sessionId),
      // Joined in the same query: /oauth2/userinfo states email_verified from them.
      this.identities.findWithVerifiedEmails(project.id, signed.subject),
      this.sessions.isAccessTokenRevoked(signed.jti),
    ]);
    if (!sessionActive || !identity || identity.state !== 'active' || revoked)
      throw new OAuthError('invalid_token', 'the access token has been revoked');
    const { sessionId, scope, clientId, jti, issuedAt, expiresAt } = signed;
    return { identity, sessionId, scope, clientId, jti, issuedAt, expiresAt };
  }

  /**
   * The claims of an unexpired access token this issuer signed, or undefined for anything else; whether its
   * session, identity or the token itself was revoked is not asked (revocation needs to know only whose it is).
   */
  async readSigned(project: Project, token: string): Promise<SignedAccessToken | undefined> {
    const verified = await jwtVerify(token, await this.keys.verificationKeys(project.id), {
      issuer: project.issuer,
      audience: project.issuer,
      typ: 'at+jwt',
      algorithms: [ACCESS_TOKEN_ALG],
      requiredClaims: ['sub', 'sid', 'scope', 'jti', 'iat', 'exp'],
    }).catch(() => undefined);
    if (!verified) return undefined;
    const { payload } = verified;
    return {
      jti: String(payload.jti),
      subject: String(payload.sub),
      sessionId: String(payload['sid']),
      scope: String(payload['scope']),
      // RFC 9068 §2.2: client_id names the client the token was issued to (always set by our minter).
      clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined,
      issuedAt: new Date(Number(payload.iat) * 1000),
      expiresAt: new Date(Number(payload.exp) * 1000),
    };
  }
}
