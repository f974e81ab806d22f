import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/** The JWS algorithms Keyway signs with (RFC 7518 §3.3, §3.4; RFC 8037 §3.1). */
export type JwsAlg = 'RS256' | 'ES256' | 'EdDSA';

/** A private signing key as the signer uses it: node:crypto's KeyObject, imported once. */
export interface JwsKey {
  alg: JwsAlg;
  kid: string;
  privateKey: KeyObject;
}

/** node:crypto's digest and signature encoding per alg; EdDSA hashes inside the algorithm. */
const SIGN_PARAMS: Record<JwsAlg, { digest: string | null; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { digest: 'sha256' }, // RSASSA-PKCS1-v1_5, node's default padding for RSA keys
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' }, // R || S, as RFC 7518 §3.4 requires (not DER)
  EdDSA: { digest: null },
};

/** Imports a private JWK (RSA, P-256 or Ed25519) as a KeyObject. */
export function importPrivateJwk(jwk: JWK): KeyObject {
  return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

/**
 * A JWT in JWS compact serialization (RFC 7515 §7.1, RFC 7519 §7.1), signed with node:crypto on the calling
 * thread. Why not jose's SignJWT, which everything else uses (verification, JWKs, key generation): jose 6 signs
 * through WebCrypto, which on Node 20 hands each signature to the libuv pool. Measured on the token endpoint's
 * refresh row that cost about 40 µs of CPU more per ES256 signature than a direct call, plus the pool's hand-offs,
 * which came to about 15 % of a refresh. The signature itself is OpenSSL's; this only joins the three parts.
 */
export function signJwt(key: JwsKey, typ: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ }));
  const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
  const { digest, dsaEncoding } = SIGN_PARAMS[key.alg];
  const signature = sign(
    digest,
    Buffer.from(signingInput),
    dsaEncoding ? { key: key.privateKey, dsaEncoding } : key.privateKey,
  );
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
