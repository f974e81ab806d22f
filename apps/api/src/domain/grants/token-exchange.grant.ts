import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TOKEN_EXCHANGE_GRANT, type Application } from '../applications/application';
import { AuditService } from '../audit/audit.service';
import { ExternalTokenSignIn } from '../external-tokens/external-token-sign-in';
import { TOKEN_TYPE_ACCESS_TOKEN } from '../external-tokens/trusted-token-issuer';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { OAuthError } from '../../infra/http/errors';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import { parseScope, SUPPORTED_SCOPES } from './scopes';
import { TokenMinter } from './token-minter.service';
import type { TokenExchangeResponse, TokenRequestParams } from './token-request';

/** The amr of a session signed in with a partner's token. */
const EXTERNAL_TOKEN_AMR = ['ext'] as const;

/**
 * grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693) for external-token sign-in: a trusted
 * partner's token (the subject token) becomes a Keyway session with Keyway's own access token, ID token (scope
 * `openid`) and refresh token (the client has the refresh_token grant), as a login would give. The client must
 * have the grant and be one of the issuer's applications; a public client may exchange, since the partner's
 * token, not the client, is what proves the user (docs/external-tokens.md).
 */
@Injectable()
export class TokenExchangeGrant {
  constructor(
    private readonly externalTokens: ExternalTokenSignIn,
    private readonly sessions: SessionsRepository,
    private readonly identities: IdentitiesRepository,
    private readonly minter: TokenMinter,
    private readonly audit: AuditService,
  ) {}

  async handle(project: Project, client: Application, params: TokenRequestParams): Promise<TokenExchangeResponse> {
    if (!client.grantTypes.includes(TOKEN_EXCHANGE_GRANT))
      throw new OAuthError('unauthorized_client', 'grant type not allowed for this client');
    if (!params.subject_token) throw new OAuthError('invalid_request', 'subject_token is required');
    if (!params.subject_token_type) throw new OAuthError('invalid_request', 'subject_token_type is required');
    // RFC 8693 §2.1: delegation (an actor) is optional to support; Keyway signs the subject itself in.
    if (params.actor_token !== undefined || params.actor_token_type !== undefined)
      throw new OAuthError('invalid_request', 'actor_token is not supported: only impersonation of the subject');
    if (params.requested_token_type !== undefined && params.requested_token_type !== TOKEN_TYPE_ACCESS_TOKEN)
      throw new OAuthError('invalid_request', `requested_token_type must be ${TOKEN_TYPE_ACCESS_TOKEN}`);
    // RFC 8693 §2.2.2: the tokens are for this issuer (its userinfo) and the client, like a login's.
    if (params.audience !== undefined || params.resource !== undefined)
      throw new OAuthError('invalid_target', 'audience and resource are not supported: the tokens are for this issuer');
    const scope = checkScope(params.scope ?? 'openid');

    const result = await this.externalTokens.signIn({
      projectId: project.id,
      applicationId: client.id,
      token: params.subject_token,
      tokenType: params.subject_token_type,
      issuerName: params.subject_issuer,
    });
    if (!result.signedIn) throw new OAuthError(result.error, result.description);
    const identity = await this.identities.findWithVerifiedEmails(project.id, result.identityId);
    if (!identity || identity.state !== 'active')
      throw new OAuthError('invalid_grant', 'the user can no longer sign in');
    // As at a login flow's end (the flow engine): a project requiring a verified address requires it here too. The
    // partner's word does not verify one; the user verifies it with the verification flow.
    if (project.settings.requireVerifiedEmail && identity.verifiedEmails.length === 0)
      throw new OAuthError('invalid_grant', "the user's email address must be verified before signing in");

    const now = new Date();
    const sessionId = randomUUID();
    const amr = [...EXTERNAL_TOKEN_AMR];
    await this.sessions.create(undefined, {
      id: sessionId,
      projectId: project.id,
      identityId: identity.id,
      amr,
      authTime: now,
      expiresAt: new Date(now.getTime() + project.settings.sessionTtlSeconds * 1000),
    });
    const subject = {
      identityId: identity.id,
      sessionId,
      clientId: client.clientId,
      scope,
      amr,
      authTime: now,
      traits: identity.traits as Record<string, unknown>,
      verifiedEmails: identity.verifiedEmails,
    };
    const access = await this.minter.accessToken(project, subject);
    const response: TokenExchangeResponse = {
      access_token: access.token,
      issued_token_type: TOKEN_TYPE_ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope,
    };
    if (parseScope(scope).includes('openid'))
      response.id_token = await this.minter.idToken(project, subject, {
        accessToken: access.token,
        alg: client.idTokenSignedResponseAlg,
      });
    if (client.grantTypes.includes('refresh_token')) {
      response.refresh_token = randomToken();
      const stored = await this.sessions.createRefreshToken({
        id: randomUUID(),
        projectId: project.id,
        applicationId: client.id,
        identityId: identity.id,
        sessionId,
        familyId: randomUUID(),
        tokenHash: sha256(response.refresh_token),
        scope,
        amr,
        authTime: now,
        expiresAt: new Date(now.getTime() + project.settings.refreshTokenTtlSeconds * 1000),
        familyExpiresAt: new Date(now.getTime() + project.settings.refreshTokenAbsoluteTtlSeconds * 1000),
      });
      // The session was ended in the moment since it was made (the identity disabled, its sessions revoked).
      if (!stored) throw new OAuthError('invalid_grant', 'the user can no longer sign in');
    }
    await this.audit.record('login.succeeded', {
      projectId: project.id,
      identityId: identity.id,
      clientId: client.clientId,
      data: {
        grantType: TOKEN_EXCHANGE_GRANT,
        tokenIssuer: result.issuer.name,
        registered: result.registered,
        amr,
        sessionId,
      },
    });
    return response;
  }
}

/** RFC 6749 §3.3: the scopes this server knows; the identity's claims they release come with the tokens. */
function checkScope(scope: string): string {
  const scopes = parseScope(scope);
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'scope is empty');
  const unknown = scopes.filter((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new OAuthError('invalid_scope', `unsupported scope: ${unknown.join(' ')}`);
  return scopes.join(' ');
}
