import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import { ApplicationsService } from '../applications/applications.service';
import { OAuthError } from '../../infra/http/errors';
import { sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';
import { AccessTokenVerifier, type SignedClientAccessToken } from '../sessions/access-token.verifier';
import { SessionsRepository } from '../sessions/sessions.repository';
import { tokenKindsInOrder } from './token-revocation';

/** RFC 7662 §2.2: `active` and, for an active token, what a resource server decides with. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      /** Absent for a client_credentials token without scopes. */
      scope?: string;
      client_id: string | undefined;
      sub: string;
      /** A client_credentials token's API resource; a user's token is for this issuer. */
      aud?: string;
      token_type: 'Bearer' | 'refresh_token';
      exp: number;
      iat: number;
      iss: string;
      jti?: string;
      sid?: string;
    };

const INACTIVE = { active: false } as const;

/**
 * RFC 7662 token introspection for resource servers: confidential clients of the project. An access token is
 * active exactly when userinfo would accept it (signature, issuer, audience, expiry, not revoked, its session
 * and identity alive). A refresh token is introspected only by the client it was issued to. Anything else —
 * unknown, expired, revoked, rotated, another client's refresh token — is `{active: false}` and nothing more.
 * A client's own access token (client_credentials) is active while unrevoked and its client exists; it names the
 * client as `sub` and its API resource as `aud`.
 */
@Injectable()
export class TokenIntrospection {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokenVerifier,
    private readonly applications: ApplicationsService,
  ) {}

  async introspect(
    project: Project,
    client: Application,
    token: string,
    hint: string | undefined,
  ): Promise<IntrospectionResponse> {
    if (client.type !== 'confidential')
      throw new OAuthError('invalid_client', 'introspection is for confidential clients (resource servers)');
    for (const kind of tokenKindsInOrder(hint)) {
      const found =
        kind === 'access_token'
          ? await this.accessToken(project, token)
          : await this.refreshToken(project, client, token);
      if (found) return found;
    }
    return INACTIVE;
  }

  private async accessToken(project: Project, token: string): Promise<IntrospectionResponse | undefined> {
    const signed = await this.accessTokens.readSigned(project, token);
    if (!signed) return undefined;
    if (signed.kind === 'client') return this.clientAccessToken(project, signed);
    const verified = await this.accessTokens.verifyLive(project, signed).catch(() => undefined);
    if (!verified) return undefined;
    return {
      active: true,
      scope: verified.scope,
      client_id: verified.clientId,
      sub: verified.identity.id,
      token_type: 'Bearer',
      exp: Math.floor(verified.expiresAt.getTime() / 1000),
      iat: Math.floor(verified.issuedAt.getTime() / 1000),
      iss: project.issuer,
      jti: verified.jti,
      sid: verified.sessionId,
    };
  }

  private async clientAccessToken(
    project: Project,
    signed: SignedClientAccessToken,
  ): Promise<IntrospectionResponse | undefined> {
    const [revoked, client] = await Promise.all([
      this.sessions.isAccessTokenRevoked(signed.jti),
      this.applications.findByClientId(project.id, signed.clientId),
    ]);
    if (revoked || !client) return undefined;
    return {
      active: true,
      ...(signed.scope ? { scope: signed.scope } : {}),
      client_id: signed.clientId,
      sub: signed.clientId,
      aud: signed.audience,
      token_type: 'Bearer',
      exp: Math.floor(signed.expiresAt.getTime() / 1000),
      iat: Math.floor(signed.issuedAt.getTime() / 1000),
      iss: project.issuer,
      jti: signed.jti,
    };
  }

  private async refreshToken(
    project: Project,
    client: Application,
    token: string,
  ): Promise<IntrospectionResponse | undefined> {
    const row = await this.sessions.findRefreshToken(sha256(token));
    const now = Date.now();
    if (
      !row ||
      row.projectId !== project.id ||
      row.applicationId !== client.id ||
      row.rotatedAt !== null ||
      row.revokedAt !== null ||
      row.session.revokedAt !== null ||
      row.expiresAt.getTime() <= now ||
      row.familyExpiresAt.getTime() <= now
    )
      return undefined;
    return {
      active: true,
      scope: row.scope,
      client_id: client.clientId,
      sub: row.identityId,
      token_type: 'refresh_token',
      exp: Math.floor(Math.min(row.expiresAt.getTime(), row.familyExpiresAt.getTime()) / 1000),
      iat: Math.floor(row.createdAt.getTime() / 1000),
      iss: project.issuer,
    };
  }
}
