import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import { AuditService } from '../audit/audit.service';
import { OAuthError } from '../../infra/http/errors';
import { constantTimeEqual, randomToken, sha256 } from '../../infra/crypto/tokens';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { Project } from '../projects/projects.service';
import { AuthorizationCodesRepository, type AuthorizationCodeRow } from './authorization-codes.repository';
import { SessionsRepository } from '../sessions/sessions.repository';
import { parseScope } from './scopes';
import { TokenMinter } from './token-minter.service';
import type { TokenRequestParams, TokenResponse } from './token-request';

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** grant_type=authorization_code (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6). */
@Injectable()
export class AuthorizationCodeGrant {
  constructor(
    private readonly codes: AuthorizationCodesRepository,
    private readonly sessions: SessionsRepository,
    private readonly identities: IdentitiesRepository,
    private readonly minter: TokenMinter,
    private readonly audit: AuditService,
  ) {}

  async handle(project: Project, client: Application, params: TokenRequestParams): Promise<TokenResponse> {
    if (!params.code) throw new OAuthError('invalid_request', 'code is required');
    const now = new Date();
    // Any presentation uses the code up, so a failed attempt (wrong client, verifier or redirect_uri)
    // cannot be followed by a successful one.
    const codeHash = sha256(params.code);
    const code = await this.codes.consume(codeHash, now);
    if (!code) {
      const used = await this.codes.findByHash(codeHash);
      if (used && used.projectId === project.id) return this.replayed(project, used, now);
      throw new OAuthError('invalid_grant', 'invalid authorization code');
    }
    if (code.projectId !== project.id) throw new OAuthError('invalid_grant', 'invalid authorization code');
    if (code.expiresAt <= now) throw new OAuthError('invalid_grant', 'authorization code expired');
    if (code.applicationId !== client.id)
      throw new OAuthError('invalid_grant', 'authorization code was issued to another client');
    checkRedirectUri(code, params.redirect_uri);
    checkCodeVerifier(code, params.code_verifier);

    const identity = await this.identities.findWithVerifiedEmails(project.id, code.identityId);
    if (!identity || identity.state !== 'active')
      throw new OAuthError('invalid_grant', 'the user can no longer sign in');

    const subject = {
      identityId: code.identityId,
      sessionId: code.sessionId,
      clientId: client.clientId,
      scope: code.scope,
      amr: code.amr,
      authTime: code.authTime,
      traits: identity.traits as Record<string, unknown>,
      verifiedEmails: identity.verifiedEmails,
    };
    const access = await this.minter.accessToken(project, subject);
    const response: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: code.scope,
    };
    if (parseScope(code.scope).includes('openid')) {
      response.id_token = await this.minter.idToken(project, subject, {
        nonce: code.nonce,
        accessToken: access.token,
        alg: client.idTokenSignedResponseAlg,
      });
    }
    if (client.grantTypes.includes('refresh_token')) {
      response.refresh_token = randomToken();
      const stored = await this.sessions.createRefreshToken({
        projectId: project.id,
        applicationId: client.id,
        identityId: code.identityId,
        sessionId: code.sessionId,
        // The family is the code's: a replayed code revokes exactly what it issued.
        familyId: code.id,
        tokenHash: sha256(response.refresh_token),
        scope: code.scope,
        amr: code.amr,
        authTime: code.authTime,
        expiresAt: new Date(now.getTime() + project.settings.refreshTokenTtlSeconds * 1000),
        familyExpiresAt: new Date(now.getTime() + project.settings.refreshTokenAbsoluteTtlSeconds * 1000),
        id: randomUUID(),
      });
      // A replay of this code, racing this request, revoked the session in the meantime (RFC 9700 §4.5):
      // nothing this request issued may outlive that.
      if (!stored) throw new OAuthError('invalid_grant', 'authorization code was already used');
    }
    return response;
  }

  /** RFC 6749 §4.1.2 / RFC 9700 §4.5: a code used twice revokes what it issued (tokens and session). */
  private async replayed(project: Project, code: AuthorizationCodeRow, now: Date): Promise<never> {
    await this.sessions.revoke(code.sessionId, now);
    await this.audit.record('oauth.code_replayed', {
      projectId: project.id,
      identityId: code.identityId,
      data: { codeId: code.id },
    });
    throw new OAuthError('invalid_grant', 'authorization code was already used');
  }
}

/**
 * RFC 6749 §4.1.3: redirect_uri is required, and identical, when the authorization request included one.
 * Codes from First-Party Apps requests without one are bound to none (draft-ietf-oauth-first-party-apps §6:
 * the token request then carries none); a redirect_uri sent for such a code means the client confused its
 * codes, so it is refused like a verifier sent for a code without a challenge.
 */
function checkRedirectUri(code: AuthorizationCodeRow, redirectUri: string | undefined): void {
  if (code.redirectUri === null) {
    if (redirectUri !== undefined)
      throw new OAuthError('invalid_grant', 'redirect_uri sent but the authorization request had none');
    return;
  }
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
  if (code.redirectUri !== redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
}

function checkCodeVerifier(code: AuthorizationCodeRow, verifier: string | undefined): void {
  if (!code.codeChallenge) {
    // RFC 9700 §4.8.2: a verifier for a code issued without a challenge means something is wrong.
    if (verifier !== undefined) throw new OAuthError('invalid_grant', 'code_verifier sent but no code_challenge was');
    return;
  }
  if (!verifier) throw new OAuthError('invalid_grant', 'code_verifier is required');
  if (!CODE_VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier is malformed');
  const computed = createHash('sha256').update(verifier).digest('base64url');
  if (!constantTimeEqual(computed, code.codeChallenge))
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
}
