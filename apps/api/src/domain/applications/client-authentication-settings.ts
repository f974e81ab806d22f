import { importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { z } from 'zod';
import type { Application, TokenEndpointAuthMethod } from './application';

/**
 * JWS algorithms a private_key_jwt client may sign its assertions with: asymmetric only (never `none` or HS*,
 * whose "key" would be a shared secret we do not hold), as listed in discovery.
 */
export const CLIENT_ASSERTION_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** Members of a JWK that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const MAX_KEYS = 20;

/**
 * A client's public key as registered for private_key_jwt: RSA (≥ 2048 bits), EC P-256 or Ed25519, for
 * signatures. Shape only; `jwksProblems` also has jose import each key.
 */
const PublicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP'], { message: 'kty must be RSA, EC or OKP (public asymmetric keys only)' }),
    kid: z.string().min(1).max(200).optional(),
    use: z.literal('sig', { message: "use must be 'sig'" }).optional(),
    alg: z
      .enum(CLIENT_ASSERTION_SIGNING_ALGS, {
        message: `alg must be one of ${CLIENT_ASSERTION_SIGNING_ALGS.join(', ')}`,
      })
      .optional(),
  })
  .superRefine((key, context) => {
    const present = PRIVATE_MEMBERS.filter((member) => member in key);
    if (present.length)
      context.addIssue({
        code: 'custom',
        message: `a private key member is present (${present.join(', ')}): register the public key only`,
      });
    const text = (name: string) => typeof key[name] === 'string' && (key[name] as string).length > 0;
    if (key.kty === 'RSA') {
      if (!text('n') || !text('e')) context.addIssue({ code: 'custom', message: 'an RSA key needs n and e' });
      else if (Buffer.from(key['n'] as string, 'base64url').length * 8 < 2048)
        context.addIssue({ code: 'custom', message: 'RSA keys must have at least 2048 bits' });
    }
    if (key.kty === 'EC' && (key['crv'] !== 'P-256' || !text('x') || !text('y')))
      context.addIssue({ code: 'custom', message: 'an EC key must be on P-256 (ES256) with x and y' });
    if (key.kty === 'OKP' && (key['crv'] !== 'Ed25519' || !text('x')))
      context.addIssue({ code: 'custom', message: 'an OKP key must be Ed25519 (EdDSA) with x' });
  });

/** The `jwks` of a private_key_jwt client: a JWK Set (RFC 7517 §5) of its public signing keys. */
export const ClientJwksInput = z
  .object({ keys: z.array(PublicJwk).min(1, 'at least one key is required').max(MAX_KEYS) })
  .strict()
  .superRefine(({ keys }, context) => {
    const kids = keys.map((key) => key.kid).filter((kid) => kid !== undefined);
    if (new Set(kids).size !== kids.length) context.addIssue({ code: 'custom', message: 'kid values must be unique' });
  });

/**
 * Where a private_key_jwt client publishes its keys: https, or http on a loopback address (development and
 * tests; refused in production by the admin API).
 */
export const JwksUriInput = z
  .string()
  .max(2048)
  .refine((value) => jwksUriScheme(value) !== undefined, {
    message: 'must be an absolute https URL (http only on a loopback address), without a fragment',
  });

/** 'https', 'loopback-http', or undefined for a URL that is neither. */
export function jwksUriScheme(value: string): 'https' | 'loopback-http' | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.hash || url.username || url.password) return undefined;
  if (url.protocol === 'https:') return 'https';
  const host = url.hostname;
  return url.protocol === 'http:' && (host === '127.0.0.1' || host === '[::1]' || host === 'localhost')
    ? 'loopback-http'
    : undefined;
}

/** Each key imported by jose, as the verifier will: problems such as points off the curve or bad encodings. */
export async function jwksProblems(jwks: JSONWebKeySet): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, key] of jwks.keys.entries()) {
    try {
      await importJWK(key as JWK, key.alg ?? DEFAULT_ALG[key.kty as string]);
    } catch (error) {
      problems.push(`jwks.keys[${index}]: not a usable public key (${(error as Error).message})`);
    }
  }
  return problems;
}

const DEFAULT_ALG: Record<string, string> = { RSA: 'RS256', EC: 'ES256', OKP: 'EdDSA' };

export type ClientAuthenticationSettings = Pick<Application, 'tokenEndpointAuthMethod' | 'jwks' | 'jwksUri'>;

/** What a create or update asks for; `null` removes a key source. */
export interface ClientAuthenticationChange {
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  jwks?: JSONWebKeySet | null | undefined;
  jwksUri?: string | null | undefined;
}

/**
 * A client's authentication settings after a change (`current` undefined: at creation), or why they would be
 * wrong: public clients use `none` and only it; confidential ones a secret (client_secret_basic, the default, or
 * client_secret_post) or private_key_jwt with exactly one key source. Naming one key source replaces the other.
 */
export function nextClientAuthentication(
  type: Application['type'],
  current: ClientAuthenticationSettings | undefined,
  change: ClientAuthenticationChange,
): { settings: ClientAuthenticationSettings } | { problem: string } {
  const method =
    change.tokenEndpointAuthMethod ??
    current?.tokenEndpointAuthMethod ??
    (type === 'public' ? 'none' : 'client_secret_basic');
  if (type === 'public' && method !== 'none')
    return { problem: "tokenEndpointAuthMethod: a public client has no credentials; it can only be 'none'." };
  if (type === 'confidential' && method === 'none')
    return {
      problem:
        'tokenEndpointAuthMethod: a confidential client authenticates with client_secret_basic, client_secret_post or private_key_jwt.',
    };
  const jwks = change.jwks ?? undefined;
  const jwksUri = change.jwksUri ?? undefined;
  if (method !== 'private_key_jwt') {
    if (jwks !== undefined || jwksUri !== undefined)
      return { problem: 'jwks and jwksUri are for tokenEndpointAuthMethod private_key_jwt only.' };
    return { settings: { tokenEndpointAuthMethod: method, jwks: null, jwksUri: null } };
  }
  if (jwks !== undefined && jwksUri !== undefined)
    return { problem: 'private_key_jwt: give the keys inline (jwks) or by URL (jwksUri), not both.' };
  const settings: ClientAuthenticationSettings =
    jwks !== undefined
      ? { tokenEndpointAuthMethod: method, jwks, jwksUri: null }
      : jwksUri !== undefined
        ? { tokenEndpointAuthMethod: method, jwks: null, jwksUri }
        : {
            tokenEndpointAuthMethod: method,
            jwks: change.jwks === null ? null : (current?.jwks ?? null),
            jwksUri: change.jwksUri === null ? null : (current?.jwksUri ?? null),
          };
  if (settings.jwks === null && settings.jwksUri === null)
    return { problem: "private_key_jwt needs the client's public keys: jwks (a JWK Set) or jwksUri." };
  return { settings };
}

/** Whether the method proves a client secret (and so the client has one to rotate). */
export function usesClientSecret(method: TokenEndpointAuthMethod): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post';
}
