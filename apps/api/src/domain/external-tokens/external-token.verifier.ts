import { Inject, Injectable } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { upstreamUrlProblem } from '../connections/connection';
import { callUpstream } from '../connections/upstream-http';
import { signedCallbackHeaders } from './callback-signature';
import type { TrustedTokenIssuer } from './trusted-token-issuer';

/** Clock skew tolerated on `exp`, `nbf` and `iat` of a partner's JWT. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** After an unknown `kid`, the partner's JWKS is fetched again at most this often (a forged kid costs no fetch). */
const JWKS_COOLDOWN_MS = 30_000;
/** How long a fetched JWKS is used before it is fetched again. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5_000;
/** Remote key sets kept (one per JWKS URL); past it the oldest is dropped and refetched when next needed. */
const MAX_CACHED_KEY_SETS = 500;

/** A token the partner vouches for: who its user is, and the claims (or profile) to map to traits. */
export interface ExternalSubject {
  issuer: TrustedTokenIssuer;
  subject: string;
  claims: Record<string, unknown>;
}

/**
 * Why a token does not sign in. `invalid`: the token is not good (signature, claims, the partner said no);
 * `unavailable`: the partner's keys or callback could not answer (never a sign-in; the client may retry).
 * `detail` is for the log, never for the client.
 */
export type TokenRefusal = { refused: 'invalid' | 'unavailable'; detail: string };

/**
 * Checks a partner's token: a JWT against the partner's keys (jose: signature, `iss`, `aud`, `exp`, `nbf`, the
 * allowed algorithms, a subject), or an opaque token at the partner's callback, signed with HMAC so the partner
 * knows the call is Keyway's.
 */
@Injectable()
export class ExternalTokenVerifier {
  private readonly remoteKeySets = new Map<string, JWTVerifyGetKey>();

  constructor(@Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig) {}

  /** A JWT from one of the issuers (jwt mode): the one whose `iss` the token names. */
  async verifyJwt(issuers: readonly TrustedTokenIssuer[], token: string): Promise<ExternalSubject | TokenRefusal> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return { refused: 'invalid', detail: 'not a JWT' };
    }
    const candidates = issuers.filter((issuer) => issuer.issuer !== null && issuer.issuer === iss);
    if (!candidates.length) return { refused: 'invalid', detail: `no trusted issuer for iss ${JSON.stringify(iss)}` };
    let refusal: TokenRefusal = { refused: 'invalid', detail: 'no issuer accepted the token' };
    // Issuers sharing an `iss` differ in audiences or keys: the first that accepts the token is its issuer.
    for (const issuer of candidates) {
      const result = await this.verifyWith(issuer, token);
      if (!('refused' in result)) return result;
      refusal = result;
    }
    return refusal;
  }

  private async verifyWith(issuer: TrustedTokenIssuer, token: string): Promise<ExternalSubject | TokenRefusal> {
    const keys = this.keysOf(issuer);
    if ('refused' in keys) return keys;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuer.issuer!,
        audience: issuer.audiences,
        algorithms: issuer.allowedAlgs,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // A partner token without an expiry would sign in forever.
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return jwtRefusal(error);
    }
    const subject = payload[issuer.subjectClaim];
    if (typeof subject !== 'string' || !subject || subject.length > 255)
      return { refused: 'invalid', detail: `the token has no ${issuer.subjectClaim} claim` };
    return { issuer, subject, claims: payload as Record<string, unknown> };
  }

  /** The issuer's static keys, or its remote key set (cached per URL, with jose's cooldown on unknown kids). */
  private keysOf(issuer: TrustedTokenIssuer): JWTVerifyGetKey | TokenRefusal {
    if (issuer.jwks) return createLocalJWKSet(issuer.jwks as unknown as JSONWebKeySet);
    const url = issuer.jwksUri;
    const problem = url === null ? 'no JWKS' : upstreamUrlProblem(url, this.config.production);
    if (problem || url === null) return { refused: 'unavailable', detail: `the JWKS URL is not called: ${problem}` };
    let keySet = this.remoteKeySets.get(url);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(url), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
        cacheMaxAge: JWKS_MAX_AGE_MS,
        // The URL was checked; a redirect would lead past the check.
        [customFetch]: (input, init) => fetch(input, { ...init, redirect: 'manual' }),
      });
      if (this.remoteKeySets.size >= MAX_CACHED_KEY_SETS)
        this.remoteKeySets.delete(this.remoteKeySets.keys().next().value!);
      this.remoteKeySets.set(url, keySet);
    }
    return keySet;
  }

  /**
   * An opaque token (opaque mode): posted to the partner's callback, signed. A 2xx JSON object naming the subject
   * is the partner's yes; any other answer is a no; no answer (timeout, network, 5xx) is a failure.
   */
  async checkOpaque(
    issuer: TrustedTokenIssuer,
    secret: string,
    token: string,
  ): Promise<ExternalSubject | TokenRefusal> {
    const url = issuer.callbackUrl;
    const problem = url === null ? 'no callback URL' : upstreamUrlProblem(url, this.config.production);
    if (problem || url === null) return { refused: 'unavailable', detail: `the callback is not called: ${problem}` };
    const body = JSON.stringify({ token, token_type_hint: 'access_token' });
    const answer = await callUpstream(url, {
      method: 'POST',
      body,
      contentType: 'application/json',
      headers: signedCallbackHeaders(secret, body),
      timeoutMs: issuer.callbackTimeoutMs,
    });
    if (!answer.ok) return { refused: 'unavailable', detail: `the callback ${answer.error}` };
    if (answer.status >= 500) return { refused: 'unavailable', detail: `the callback answered HTTP ${answer.status}` };
    if (answer.status < 200 || answer.status > 299)
      return { refused: 'invalid', detail: `the callback answered HTTP ${answer.status}` };
    let profile: unknown;
    try {
      profile = JSON.parse(answer.body);
    } catch {
      return { refused: 'invalid', detail: 'the callback did not answer JSON' };
    }
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile))
      return { refused: 'invalid', detail: 'the callback did not answer a JSON object' };
    const claims = profile as Record<string, unknown>;
    const subject = claims[issuer.subjectClaim];
    if (typeof subject !== 'string' || !subject || subject.length > 255)
      return { refused: 'invalid', detail: `the callback's profile has no ${issuer.subjectClaim}` };
    return { issuer, subject, claims };
  }
}

/** A JWT jose refused: the partner's keys not reachable is `unavailable`, everything else the token's fault. */
function jwtRefusal(error: unknown): TokenRefusal {
  if (error instanceof errors.JWKSTimeout) return { refused: 'unavailable', detail: 'the JWKS did not answer in time' };
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
    // jose's "Expected 200 OK from the JSON Web Key Set HTTP response".
    return { refused: 'unavailable', detail: error.message };
  if (error instanceof errors.JWKSInvalid) return { refused: 'unavailable', detail: 'the JWKS is not a key set' };
  if (error instanceof errors.JOSEError) return { refused: 'invalid', detail: `${error.code}: ${error.message}` };
  // fetch's own errors (connection refused, DNS): the partner's keys are out of reach.
  return { refused: 'unavailable', detail: 'the JWKS could not be reached' };
}
