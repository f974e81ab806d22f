import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import type { SigningAlg } from '../keys/signing-key-lifecycle';

/** RFC 8693 token exchange: a trusted partner's token (domain/external-tokens) for Keyway's tokens. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** How a client authenticates (RFC 7591 §2 `token_endpoint_auth_method`): `none` for public clients only. */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** An OAuth client as the rest of the API sees it. */
export interface Application {
  id: string;
  projectId: string;
  clientId: string;
  clientSecretHash: string | null;
  /** After a rotation: the previous secret, accepted until `previousSecretExpiresAt`. */
  previousSecretHash: string | null;
  previousSecretExpiresAt: Date | null;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  /** Where RP-initiated logout may return the browser to. */
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  appNative: boolean;
  /** Ordered login steps, each a set of authenticator names. */
  loginFlow: string[][];
  /**
   * Whether a login step may enroll a required factor the identity lacks (TOTP today) instead of ending
   * the flow. Off by default: with it on, whoever passes the earlier steps binds the second factor.
   */
  allowEnrollmentInFlow: boolean;
  /** OpenID Connect Back-Channel Logout 1.0: where this app receives logout tokens; null for none. */
  backchannelLogoutUri: string | null;
  /** The JWS alg of its ID tokens (OIDC Dynamic Client Registration's `id_token_signed_response_alg`). */
  idTokenSignedResponseAlg: SigningAlg;
  /** The one way this client authenticates wherever client authentication is taken. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** private_key_jwt: the client's public keys, inline or at `jwksUri` (exactly one of the two). */
  jwks: JSONWebKeySet | null;
  jwksUri: string | null;
}

/**
 * Redirect URIs: absolute, no fragment (RFC 6749 §3.1.2). Private-use schemes (com.example.app:/cb) and
 * loopback http are the native-app kinds (RFC 8252); other http is refused.
 */
export const RedirectUri = z.string().refine(isAcceptableRedirectUri, {
  message:
    'must be an absolute URI without a fragment: https, a private-use scheme (com.example.app:/callback), or http on a loopback address',
});

function isAcceptableRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash || value.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return isLoopback(url.hostname);
  // RFC 8252 §7.1: private-use URI schemes use reverse domain names.
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol);
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

/**
 * A back-channel logout endpoint (Back-Channel Logout 1.0 §2.2): an absolute https URL without a fragment, or
 * http on a loopback address (development). The server calls it, so a private-use scheme means nothing here.
 */
export const BackchannelLogoutUri = z
  .string()
  .max(2048)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        if (url.hash || value.includes('#')) return false;
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
      } catch {
        return false;
      }
    },
    { message: 'must be an absolute https URL without a fragment (http only on a loopback address)' },
  );

/**
 * Exact string match against a registered URI, except that loopback redirects may use any port
 * (RFC 8252 §7.3: the native app picks a free port at run time).
 */
export function matchesRegisteredRedirectUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !isLoopback(url.hostname) || !url.port) return false;
  url.port = '';
  return registered.includes(url.toString()) || registered.includes(url.toString().replace(/\/$/, ''));
}
