import { Injectable } from '@nestjs/common';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Application } from '../applications/application';
import { CLIENT_ASSERTION_SIGNING_ALGS } from '../applications/client-authentication-settings';
import { OAuthError } from '../../infra/http/errors';
import type { Project } from '../projects/projects.service';
import { ClientAssertionsRepository } from './client-assertions.repository';
import { ClientKeySets } from './client-key-sets';

/** RFC 7523 §2.2: the only client_assertion_type we take. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Endpoints under `{issuer}/oauth2/` that take client authentication: an assertion's `aud` may name the one called. */
export type ClientAuthenticationEndpoint =
  'token' | 'revoke' | 'introspect' | 'authorize' | 'authorize-challenge' | 'logout';

/** Clock skew allowed between the client and us, on exp and nbf. */
const CLOCK_SKEW_SECONDS = 30;
/** An assertion may be valid this long from now at most: a short life bounds how long its jti must be kept. */
const MAX_LIFETIME_SECONDS = 5 * 60;
const MAX_JTI_LENGTH = 256;
/** Expired jti rows are purged at most this often per process, by the request that finds the interval over. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Verifies a private_key_jwt client assertion (RFC 7523 §3, OIDC Core §9): signed with an allowed asymmetric
 * algorithm by one of the client's registered keys; `iss` = `sub` = client_id; `aud` naming the issuer or the
 * endpoint called; `exp` in the future and at most five minutes ahead; `jti` present and used once.
 * Every refusal is `invalid_client` (RFC 7521 §4.2.1).
 */
@Injectable()
export class ClientAssertionVerifier {
  private lastPurge = 0;

  constructor(
    private readonly keySets: ClientKeySets,
    private readonly assertions: ClientAssertionsRepository,
  ) {}

  async verify(
    project: Project,
    application: Application,
    assertion: string,
    endpoint: ClientAuthenticationEndpoint,
  ): Promise<void> {
    const keys = this.keySets.resolverFor(application);
    if (!keys) throw new OAuthError('invalid_client', 'the client has no registered keys');
    const now = Date.now();
    const payload = await this.verifiedPayload(assertion, keys, {
      clientId: application.clientId,
      audiences: [project.issuer, `${project.issuer}/oauth2/${endpoint}`],
    });
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)
      throw refused(`jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`);
    const exp = payload.exp as number;
    if (exp * 1000 > now + (MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) * 1000)
      throw refused(`exp is too far ahead: an assertion may be valid for ${MAX_LIFETIME_SECONDS} seconds at most`);
    // Kept while the assertion could still pass the exp check (with the skew allowed).
    const keepUntil = new Date((exp + CLOCK_SKEW_SECONDS) * 1000);
    if (!(await this.assertions.recordFirstUse(application.id, jti, keepUntil, new Date(now))))
      throw refused('this assertion (its jti) was already used');
    if (now - this.lastPurge >= PURGE_INTERVAL_MS) {
      this.lastPurge = now;
      await this.assertions.purgeExpired(new Date(now));
    }
  }

  private async verifiedPayload(
    assertion: string,
    keys: JWTVerifyGetKey,
    expected: { clientId: string; audiences: string[] },
  ): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(assertion, fetchFailuresTagged(keys), {
        algorithms: [...CLIENT_ASSERTION_SIGNING_ALGS],
        issuer: expected.clientId,
        subject: expected.clientId,
        audience: expected.audiences,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      return payload;
    } catch (error) {
      if (error instanceof KeysUnavailable)
        throw new OAuthError('invalid_client', "the client's jwks_uri could not be read");
      if (error instanceof errors.JOSEError) throw refused(error.message);
      throw error;
    }
  }
}

function refused(reason: string): OAuthError {
  return new OAuthError('invalid_client', `client_assertion refused: ${reason}`);
}

/** A jwks_uri that cannot be fetched (refused connection, DNS): the client's problem, not a server error. */
class KeysUnavailable extends Error {}

function fetchFailuresTagged(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError) throw error;
      throw new KeysUnavailable('jwks_uri fetch failed', { cause: error });
    }
  };
}
