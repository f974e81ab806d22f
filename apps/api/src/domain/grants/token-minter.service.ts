import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { signJwt } from '../../infra/crypto/jws';
import { ACCESS_TOKEN_ALG, idTokenHashAlgorithm, type SigningAlg } from '../keys/signing-key-lifecycle';
import { SigningKeysService } from '../keys/signing-keys.service';
import { normaliseIdentifier } from '../schemas/identity-traits';
import type { Project } from '../projects/projects.service';
import { SsoKeys } from '../sessions/sso-keys';
import { parseScope, SCOPE_CLAIMS } from './scopes';

/** Who the tokens are about and how they authenticated. */
export interface TokenSubject {
  identityId: string;
  sessionId: string;
  clientId: string;
  scope: string;
  amr: string[];
  authTime: Date;
  traits: Record<string, unknown>;
  /** The identity's verified email addresses (normalised); only ID tokens use them, for email_verified. */
  verifiedEmails?: readonly string[];
}

/** Mints JWT access tokens (RFC 9068) and OpenID Connect ID tokens, signed with the project's keys. */
@Injectable()
export class TokenMinter {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly ssoKeys: SsoKeys,
  ) {}

  async accessToken(project: Project, subject: TokenSubject): Promise<{ token: string; expiresIn: number }> {
    const expiresIn = project.settings.accessTokenTtlSeconds;
    const claims = {
      client_id: subject.clientId,
      scope: subject.scope,
      auth_time: epoch(subject.authTime),
      amr: subject.amr,
      sid: subject.sessionId,
    };
    // Without a resource indicator the audience is this issuer (its userinfo endpoint is the resource).
    const token = await this.signAccessToken(project, claims, subject.identityId, project.issuer, expiresIn);
    return { token, expiresIn };
  }

  /**
   * An access token a client gets for itself (client_credentials): RFC 9068 with sub = client_id, for one API
   * resource (aud, RFC 8707). No sid: no user and no session stand behind it, so nothing that serves users
   * accepts it (AccessTokenVerifier).
   */
  async clientAccessToken(
    project: Project,
    grant: { clientId: string; audience: string; scope: string; expiresIn: number },
  ): Promise<{ token: string; expiresIn: number }> {
    const claims = { client_id: grant.clientId, ...(grant.scope ? { scope: grant.scope } : {}) };
    const token = await this.signAccessToken(project, claims, grant.clientId, grant.audience, grant.expiresIn);
    return { token, expiresIn: grant.expiresIn };
  }

  private async signAccessToken(
    project: Project,
    claims: Record<string, unknown>,
    subject: string,
    audience: string,
    expiresIn: number,
  ): Promise<string> {
    const key = await this.keys.signingKey(project.id, ACCESS_TOKEN_ALG);
    const iat = epoch(new Date());
    return signJwt(key, 'at+jwt', {
      ...claims,
      iss: project.issuer,
      sub: subject,
      aud: audience,
      iat,
      exp: iat + expiresIn,
      jti: randomUUID(),
    });
  }

  async idToken(
    project: Project,
    subject: TokenSubject,
    extra: { nonce?: string | null; accessToken: string; alg: SigningAlg },
  ): Promise<string> {
    const key = await this.keys.signingKey(project.id, extra.alg);
    const iat = epoch(new Date());
    return signJwt(key, 'JWT', {
      iss: project.issuer,
      sub: subject.identityId,
      aud: subject.clientId,
      iat,
      exp: iat + project.settings.idTokenTtlSeconds,
      auth_time: epoch(subject.authTime),
      amr: subject.amr,
      sid: subject.sessionId,
      // WSO2's SessionId-based SSO: sent back as `sessionId` to /oauth2/authorize, it continues this session.
      isk: this.ssoKeys.keyOf(project.id, subject.sessionId),
      at_hash: halfHash(extra.accessToken, extra.alg),
      ...(extra.nonce ? { nonce: extra.nonce } : {}),
      ...scopedClaims(subject.scope, subject.traits, subject.verifiedEmails ?? []),
    });
  }
}

/** The user claims the granted scopes release (OIDC Core §5.4). */
export function scopedClaims(
  scope: string,
  traits: Record<string, unknown>,
  verifiedEmails: readonly string[],
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const email = traits['email'];
  for (const granted of parseScope(scope)) {
    for (const claim of SCOPE_CLAIMS[granted] ?? []) {
      // True only when the address the email claim states is one the identity proved (VerifiableAddress),
      // never from a trait an admin or the user could simply set.
      if (claim === 'email_verified')
        claims[claim] = typeof email === 'string' && verifiedEmails.includes(normaliseIdentifier(email));
      else if (traits[claim] !== undefined) claims[claim] = traits[claim];
    }
  }
  return claims;
}

function epoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** OIDC Core §3.1.3.6 at_hash: left half of the alg's hash (SHA-256; SHA-512 for Ed25519), base64url. */
function halfHash(value: string, alg: SigningAlg): string {
  const digest = createHash(idTokenHashAlgorithm(alg)).update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
