import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { idTokenHashAlgorithm } from '../../domain/keys/signing-key-lifecycle';
import { constantTimeEqual } from '../../infra/crypto/tokens';

/** What a connection says about its provider's ID tokens (fed from a Connection later). */
export interface UpstreamTokenPolicy {
  issuer: string;
  jwksUri: string;
  /** Client ids the token may be issued to (a provider's iOS, Android and web clients differ). */
  audiences: readonly string[];
  /** Apple puts the SHA-256 (hex) of the flow's nonce in the token rather than the nonce itself. */
  nonceIsHashed?: boolean;
  clockSkewSeconds?: number;
}

export interface UpstreamTokenExpectations {
  expectedNonce: string;
  /** When the app sends the provider's access token too, its at_hash must match. */
  accessToken?: string;
}

/** The claims the flow uses, normalised across providers. */
export interface UpstreamIdentityClaims {
  sub: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  amr?: string[];
  /** Every claim of the token, for a connection's claim mapping (given_name, picture…). */
  extra: Record<string, unknown>;
}

/** Why a token was refused: the flow turns it into a message, the logs keep it as is. */
export type UpstreamIdTokenFailure =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'authorized_party'
  | 'expired'
  | 'not_yet_valid'
  | 'subject'
  | 'nonce'
  | 'at_hash';

export class UpstreamIdTokenRejected extends Error {
  constructor(
    readonly reason: UpstreamIdTokenFailure,
    detail: string,
  ) {
    super(`upstream ID token refused (${reason}): ${detail}`);
    this.name = 'UpstreamIdTokenRejected';
  }
}

/** How provider key sets are fetched; tests shorten the cooldown. */
export interface UpstreamKeySetOptions {
  /** Minimum time between two fetches of one JWKS, so unknown `kid`s cannot make us hammer the provider. */
  cooldownMs: number;
  /** How long fetched keys are trusted before the next verification refetches them. */
  maxAgeMs: number;
  timeoutMs: number;
}

const UPSTREAM_KEY_SET_OPTIONS = Symbol('UPSTREAM_KEY_SET_OPTIONS');
const DEFAULT_KEY_SET_OPTIONS: UpstreamKeySetOptions = { cooldownMs: 30_000, maxAgeMs: 600_000, timeoutMs: 5_000 };
// Asymmetric only: a provider's token signed with HS* or none would be forgeable by anyone knowing the client secret.
export const UPSTREAM_ALGS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

type KeySet = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => ReturnType<ReturnType<typeof createRemoteJWKSet>>;

/** Verifies an ID token an app obtained from an upstream provider's SDK (native-mode federation, issue 12). */
@Injectable()
export class UpstreamIdTokenVerifier {
  private readonly keySets = new Map<string, KeySet>();
  private readonly keySetOptions: UpstreamKeySetOptions;

  constructor(@Optional() @Inject(UPSTREAM_KEY_SET_OPTIONS) options?: Partial<UpstreamKeySetOptions>) {
    this.keySetOptions = { ...DEFAULT_KEY_SET_OPTIONS, ...options };
  }

  async verify(
    policy: UpstreamTokenPolicy,
    idToken: string,
    expectations: UpstreamTokenExpectations,
  ): Promise<UpstreamIdentityClaims> {
    const skew = policy.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    let payload: JWTPayload;
    let alg: string;
    try {
      const verified = await jwtVerify(idToken, this.keySet(policy.jwksUri), {
        algorithms: UPSTREAM_ALGS,
        issuer: policy.issuer,
        audience: [...policy.audiences],
        clockTolerance: skew,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      payload = verified.payload;
      alg = verified.protectedHeader.alg;
    } catch (error) {
      throw rejection(error);
    }

    if (typeof payload.sub !== 'string' || payload.sub === '') throw new UpstreamIdTokenRejected('subject', 'no sub');
    // jose checks iat only against a maximum age; a token from the future means a wrong clock or a forgery.
    if (typeof payload.iat !== 'number' || payload.iat > Math.floor(Date.now() / 1000) + skew) {
      throw new UpstreamIdTokenRejected('not_yet_valid', 'iat is in the future');
    }
    checkAuthorizedParty(payload, policy.audiences);
    checkNonce(payload.nonce, expectations.expectedNonce, policy.nonceIsHashed === true);
    if (expectations.accessToken !== undefined) checkAccessTokenHash(payload.at_hash, expectations.accessToken, alg);
    return identityClaims(payload);
  }

  /** One remote key set per JWKS URL, so its cache and cooldown are shared by every verification. */
  private keySet(jwksUri: string): KeySet {
    let keySet = this.keySets.get(jwksUri);
    if (!keySet) {
      const { cooldownMs, maxAgeMs, timeoutMs } = this.keySetOptions;
      const remote = createRemoteJWKSet(new URL(jwksUri), {
        cooldownDuration: cooldownMs,
        cacheMaxAge: maxAgeMs,
        timeoutDuration: timeoutMs,
      });
      keySet = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
            throw error;
          // Unreachable, slow, non-200 or not a key set: the provider's fault, not the token's.
          throw new UpstreamIdTokenRejected('keys_unavailable', error instanceof Error ? error.message : String(error));
        }
      };
      this.keySets.set(jwksUri, keySet);
    }
    return keySet;
  }
}

/** With several audiences, azp names the one client the token was meant for (OIDC Core §3.1.3.7 step 4–5). */
function checkAuthorizedParty(payload: JWTPayload, audiences: readonly string[]): void {
  if (!Array.isArray(payload.aud) || payload.aud.length < 2 || payload.azp === undefined) return;
  if (typeof payload.azp !== 'string' || !audiences.includes(payload.azp)) {
    throw new UpstreamIdTokenRejected('authorized_party', 'azp is not one of the accepted audiences');
  }
}

function checkNonce(nonce: unknown, expectedNonce: string, hashed: boolean): void {
  const expected = hashed ? createHash('sha256').update(expectedNonce).digest('hex') : expectedNonce;
  if (typeof nonce !== 'string' || nonce === '' || !constantTimeEqual(nonce, expected)) {
    throw new UpstreamIdTokenRejected('nonce', 'nonce does not match the flow');
  }
}

/** OIDC Core §3.2.2.9: at_hash is the left half of the alg's hash of the access token, base64url. */
function checkAccessTokenHash(atHash: unknown, accessToken: string, alg: string): void {
  const digest = createHash(idTokenHashAlgorithm(alg)).update(accessToken).digest();
  const expected = digest.subarray(0, digest.length / 2).toString('base64url');
  if (typeof atHash !== 'string' || !constantTimeEqual(atHash, expected)) {
    throw new UpstreamIdTokenRejected('at_hash', 'at_hash does not match the access token');
  }
}

function identityClaims(payload: JWTPayload): UpstreamIdentityClaims {
  const claims: UpstreamIdentityClaims = {
    sub: payload.sub as string,
    // Apple sends "true"/"false" as strings.
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    extra: { ...payload },
  };
  if (typeof payload.email === 'string') claims.email = payload.email;
  if (typeof payload.name === 'string') claims.name = payload.name;
  if (Array.isArray(payload.amr))
    claims.amr = payload.amr.filter((value): value is string => typeof value === 'string');
  return claims;
}

/** Maps jose's errors to the reasons the flow reports; anything unexpected is rethrown (a bug, not a bad token). */
function rejection(error: unknown): unknown {
  if (error instanceof UpstreamIdTokenRejected) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.JWTExpired) return new UpstreamIdTokenRejected('expired', message);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason: Record<string, UpstreamIdTokenFailure> = {
      iss: 'issuer',
      aud: 'audience',
      sub: 'subject',
      iat: 'not_yet_valid',
      nbf: 'not_yet_valid',
      exp: 'expired',
    };
    return new UpstreamIdTokenRejected(reason[error.claim] ?? 'malformed', message);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new UpstreamIdTokenRejected('unknown_key', message);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UpstreamIdTokenRejected('signature', message);
  if (error instanceof errors.JOSEAlgNotAllowed) return new UpstreamIdTokenRejected('algorithm', message);
  if (error instanceof errors.JOSEError) return new UpstreamIdTokenRejected('malformed', message);
  return error;
}
