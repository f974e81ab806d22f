/**
 * The rotation of a project's signing keys, as rules over time (docs/signing-keys.md). Per project and alg one key
 * is `next` (published, not signing), one `active` (signing), and any number `retiring` (published until their
 * `retiresAt`). A rotation activates the next key, retires the active one and creates a new next one.
 */

/** Every alg a project has keys for: what discovery lists and what an application may choose for its ID tokens. */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/**
 * Access tokens are minted on every refresh; ES256 costs a fraction of an RSA signature. ID tokens default to RS256,
 * the algorithm every OIDC client must accept; an application may ask for ES256 or EdDSA (Ed25519) instead.
 */
export const ACCESS_TOKEN_ALG: SigningAlg = 'ES256';
export const DEFAULT_ID_TOKEN_ALG: SigningAlg = 'RS256';

export type SigningKeyStatus = 'next' | 'active' | 'retiring';

export interface KeyTimes {
  status: SigningKeyStatus;
  createdAt: Date;
  retiresAt: Date | null;
}

/**
 * How often a process reads its projects' keys again: another replica's rotation reaches its JWKS and its signing
 * within this. Never longer than clients cache the JWKS, so the two delays below stay of the same size.
 */
export function keySetRefreshSeconds(jwksMaxAgeSeconds: number): number {
  return Math.min(30, jwksMaxAgeSeconds);
}

/**
 * When a next key may start signing: once every replica has published it (a refresh) and every client's cached
 * JWKS has been fetched since (max-age). Before that a client could meet a kid its cached JWKS lacks.
 */
export function activatableAt(next: Pick<KeyTimes, 'createdAt'>, jwksMaxAgeSeconds: number): Date {
  const seconds = keySetRefreshSeconds(jwksMaxAgeSeconds) + jwksMaxAgeSeconds;
  return new Date(next.createdAt.getTime() + seconds * 1000);
}

/**
 * When a key that stops signing at `rotatedAt` may leave the JWKS: after the longest-lived token it may have signed
 * has expired. Replicas that have not re-read the keys yet sign with it for up to one refresh after the rotation.
 * The token lifetimes are the project's at rotation time: a token signed earlier got the lifetime of its day, and a
 * lifetime raised before the rotation is already counted here.
 */
export function retiresAt(
  rotatedAt: Date,
  lifetimes: { idTokenTtlSeconds: number; accessTokenTtlSeconds: number },
  jwksMaxAgeSeconds: number,
): Date {
  const longest = Math.max(lifetimes.idTokenTtlSeconds, lifetimes.accessTokenTtlSeconds);
  return new Date(rotatedAt.getTime() + (keySetRefreshSeconds(jwksMaxAgeSeconds) + longest) * 1000);
}

/** Whether the JWKS lists the key at `now`: next and active always, retiring until its retiresAt. */
export function isPublished(key: Pick<KeyTimes, 'status' | 'retiresAt'>, now: Date): boolean {
  return key.status !== 'retiring' || (key.retiresAt !== null && key.retiresAt > now);
}

/**
 * The hash of at_hash / c_hash for an ID token's alg (OIDC Core §3.1.3.6; Ed25519 signs with SHA-512). Takes any
 * alg name because upstream providers' tokens (PS256…) are checked with it too.
 */
export function idTokenHashAlgorithm(alg: string): 'sha256' | 'sha512' {
  return alg === 'EdDSA' ? 'sha512' : 'sha256';
}
