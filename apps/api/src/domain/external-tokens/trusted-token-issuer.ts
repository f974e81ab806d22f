import { z } from 'zod';

/** How a partner's tokens are checked: a JWT verified against its keys, or an opaque token sent to its callback. */
export const TOKEN_ISSUER_MODES = ['jwt', 'opaque'] as const;
export type TokenIssuerMode = (typeof TOKEN_ISSUER_MODES)[number];

/**
 * When the traits mapped from a partner's claims are written: at the first sign-in only (the identity is then
 * Keyway's to change), or at every sign-in (the partner stays the source of those traits).
 */
export const UPDATE_POLICIES = ['first-login', 'every-login'] as const;
export type UpdatePolicy = (typeof UPDATE_POLICIES)[number];

/**
 * The JWS algorithms a partner's JWT may be signed with: asymmetric only, since Keyway holds only the partner's
 * public keys (an HMAC-signed token would need a shared secret either side could sign with).
 */
export const ASYMMETRIC_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type AsymmetricAlg = (typeof ASYMMETRIC_ALGS)[number];

/** The default: what partners commonly sign with. */
export const DEFAULT_ALGS: readonly AsymmetricAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

/** How long Keyway waits for a partner's callback, by default and at most (a sign-in waits meanwhile). */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5_000;
export const MAX_CALLBACK_TIMEOUT_MS = 10_000;

/** RFC 8693 §3 token type identifiers a subject token may have: a JWT (jwt mode), an access token (opaque mode). */
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** A trusted token issuer: a partner backend whose tokens sign end users of the project in. No secret in it. */
export interface TrustedTokenIssuer {
  id: string;
  projectId: string;
  /** Slug-like key, unique per project; never changes. */
  name: string;
  mode: TokenIssuerMode;
  /** jwt: the `iss` of the partner's tokens. */
  issuer: string | null;
  /** jwt: accepted `aud` values; a token must name one of them. */
  audiences: string[];
  /** jwt: where the partner publishes its keys, or `jwks`: a static set of public keys (exactly one of the two). */
  jwksUri: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  /** jwt: accepted JWS algorithms. */
  allowedAlgs: AsymmetricAlg[];
  /** opaque: where Keyway posts the token. */
  callbackUrl: string | null;
  callbackSecretSet: boolean;
  callbackTimeoutMs: number;
  /** The claim (or profile field) holding the partner's user id. */
  subjectClaim: string;
  /** Partner claim → identity trait. */
  claimMapping: Record<string, string>;
  updatePolicy: UpdatePolicy;
  /** The applications that may exchange (or sign in with) this issuer's tokens. */
  applications: { applicationId: string; clientId: string }[];
  createdAt: Date;
  updatedAt: Date;
}

/** A token issuer's name: lower case, URL-safe, like a connection's. */
export const TokenIssuerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be 2-40 characters: lower-case letters, digits and -, a letter first');
