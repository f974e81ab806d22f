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
export type SignedAccessToken = SignedUserAccessToken | SignedClientAccessToken;

/** A token for a user's session; its audience is the issuer (userinfo, /me). */
export interface SignedUserAccessToken {
  kind: 'user';
  jti: string;
  subject: string;
  sessionId: string;
  scope: string;
  clientId: string | undefined;
  issuedAt: Date;
  expiresAt: Date;
}

/** A token a client got for itself (client_credentials) for one API resource: no user, no session. */
export interface SignedClientAccessToken {
  kind: 'client';
  jti: string;
  clientId: string;
  /** The API resource's identifier. */
  audience: string;
  /** Absent when the token carries no scope. */
  scope: string | undefined;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * Authenticates a request to a protected resource of the issuer (RFC 6750 Bearer, RFC 9068 access
 * token) exactly as /oauth2/userinfo does: our signature, issuer and audience, not revoked (RFC 7009), and a
 * session and identity that are still alive. Failures are `invalid_token` (401). Introspection asks the same.
 * A client's own token (client_credentials, for an API resource) is never a user's: refused here.
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
    if (signed.kind !== 'user')
      throw new OAuthError('invalid_token', 'the access token was issued to a client for an API, not for a user');
    return this.verifyLive(project, signed);
  }

  /** A user's token read by `readSigned`, if its session and identity live and it was not revoked. */
  async verifyLive(project: Project, signed: SignedUserAccessToken): Promise<VerifiedAccessToken> {
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
   * A user's token has the issuer as audience and a session (sid); a client's own has an API resource as audience,
   * its client_id as subject and no session. Anything in between is neither.
   */
  async readSigned(project: Project, token: string): Promise<SignedAccessToken | undefined> {
    const verified = await jwtVerify(token, await this.keys.verificationKeys(project.id), {
      issuer: project.issuer,
      typ: 'at+jwt',
      algorithms: [ACCESS_TOKEN_ALG],
      requiredClaims: ['sub', 'aud', 'jti', 'iat', 'exp'],
    }).catch(() => undefined);
    if (!verified) return undefined;
    const { payload } = verified;
    const { aud, sub, sid, scope } = payload as Record<string, unknown>;
    // RFC 9068 §2.2: client_id names the client the token was issued to (always set by our minter).
    const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
    const times = {
      jti: String(payload.jti),
      issuedAt: new Date(Number(payload.iat) * 1000),
      expiresAt: new Date(Number(payload.exp) * 1000),
    };
    if (aud === project.issuer && typeof sid === 'string' && typeof scope === 'string')
      return { kind: 'user', subject: String(sub), sessionId: sid, scope, clientId, ...times };
    if (
      typeof aud === 'string' &&
      aud !== project.issuer &&
      sid === undefined &&
      clientId !== undefined &&
      sub === clientId
    )
      return {
        kind: 'client',
        clientId,
        audience: aud,
        scope: typeof scope === 'string' ? scope : undefined,
        ...times,
      };
    return undefined;
  }
}
