import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import { AuditService } from '../audit/audit.service';
import { OAuthError } from '../../infra/http/errors';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';
import { SessionsRepository, type RefreshTokenRow } from '../sessions/sessions.repository';
import { parseScope } from './scopes';
import { TokenMinter, type TokenSubject } from './token-minter.service';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { TokenRequestParams, TokenResponse } from './token-request';

/**
 * grant_type=refresh_token (RFC 6749 §6) with rotation: every use returns a new refresh token, and
 * presenting an already-rotated one (RFC 9700 §4.14.2 reuse detection) revokes the whole family.
 * With `openid` in the scope a new ID token comes too (OIDC Core §12.2: same sub, auth_time and sid, a new iat, no
 * nonce), signed with the client's algorithm and carrying the identity's current claims; without it the path
 * reads no identity and signs once (ES256).
 */
@Injectable()
export class RefreshTokenGrant {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly minter: TokenMinter,
    private readonly audit: AuditService,
    private readonly identities: IdentitiesRepository,
  ) {}

  async handle(project: Project, client: Application, params: TokenRequestParams): Promise<TokenResponse> {
    if (!params.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
    if (!client.grantTypes.includes('refresh_token'))
      throw new OAuthError('unauthorized_client', 'this client may not use refresh tokens');
    const now = new Date();
    const tokenHash = sha256(params.refresh_token);
    const refreshToken = randomToken();
    const successorId = randomUUID();
    // One statement: this token is spent and its successor stored, whatever the checks below decide — but only
    // when its own client presents it, so a token shown to another client or tenant stays usable by its owner.
    const token = await this.sessions.rotateRefreshToken(
      tokenHash,
      { projectId: project.id, applicationId: client.id },
      {
        id: successorId,
        tokenHash: sha256(refreshToken),
        idleExpiresAt: new Date(now.getTime() + project.settings.refreshTokenTtlSeconds * 1000),
      },
      now,
    );
    if (!token) return this.refuseSpent(project, client, tokenHash, now);
    if (!token.successorStored) throw new OAuthError('invalid_grant', 'refresh token expired');
    let scope: string;
    try {
      scope = narrowScope(token.scope, params.scope);
    } catch (error) {
      // A bad scope parameter is the client's mistake, not a reason to end the user's login.
      await this.sessions.unrotateRefreshToken(token.id, successorId);
      throw error;
    }

    const subject: TokenSubject = {
      identityId: token.identityId,
      sessionId: token.sessionId,
      clientId: client.clientId,
      scope,
      amr: token.amr,
      authTime: token.authTime,
      traits: {},
    };
    const openid = parseScope(scope).includes('openid');
    const [access, identity] = await Promise.all([
      this.minter.accessToken(project, subject),
      openid ? this.identities.findWithVerifiedEmails(project.id, token.identityId) : undefined,
    ]);
    const response: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope,
      refresh_token: refreshToken,
    };
    if (openid) {
      if (!identity || identity.state !== 'active')
        throw new OAuthError('invalid_grant', 'the user can no longer sign in');
      response.id_token = await this.minter.idToken(
        project,
        { ...subject, traits: identity.traits as Record<string, unknown>, verifiedEmails: identity.verifiedEmails },
        { accessToken: access.token, alg: client.idTokenSignedResponseAlg },
      );
    }
    return response;
  }

  /**
   * Unknown, another client's, revoked (itself or its session), or already rotated — only the last is reuse,
   * which revokes the whole family.
   */
  private async refuseSpent(project: Project, client: Application, tokenHash: string, now: Date): Promise<never> {
    const token = await this.sessions.findRefreshToken(tokenHash);
    if (!token || token.projectId !== project.id || token.applicationId !== client.id)
      throw new OAuthError('invalid_grant', 'invalid refresh token');
    if (token.revokedAt || token.session.revokedAt) throw new OAuthError('invalid_grant', 'refresh token revoked');
    return this.reused(project, token, now);
  }

  private async reused(project: Project, token: RefreshTokenRow, now: Date): Promise<never> {
    await this.sessions.revokeRefreshTokenFamily(token.familyId, now);
    await this.audit.record('oauth.refresh_token_reused', {
      projectId: project.id,
      identityId: token.identityId,
      data: { familyId: token.familyId },
    });
    throw new OAuthError('invalid_grant', 'refresh token was already used; the login has been revoked');
  }
}

/** RFC 6749 §6: a refresh may ask for less than was granted, never more. */
function narrowScope(granted: string, requested: string | undefined): string {
  if (requested === undefined) return granted;
  const grantedScopes = parseScope(granted);
  const requestedScopes = parseScope(requested);
  const extra = requestedScopes.filter((s) => !grantedScopes.includes(s));
  if (extra.length || requestedScopes.length === 0)
    throw new OAuthError('invalid_scope', `scope exceeds the original grant: ${extra.join(' ')}`);
  return requestedScopes.join(' ');
}
