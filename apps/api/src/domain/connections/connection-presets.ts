import type { ConnectionEndpoints, ConnectionKind, ConnectionPresetName } from './connection';

/** What a preset fills in when a connection is created from it; the admin may change scopes and the mapping. */
export interface ConnectionPreset {
  kind: ConnectionKind;
  displayName: string;
  /** Null for the generic presets: discovered (oidc) or given by hand (oauth2). */
  endpoints: ConnectionEndpoints | null;
  /** OAuth 2.0 providers that keep addresses apart from the profile (GitHub): where the verified ones are listed. */
  emailsUrl: string | null;
  scopes: string[];
  /** Provider claim → identity trait, for the default identity schema (email, name). */
  claimMapping: Record<string, string>;
  /** Whether the provider's email_verified is worth trusting by default. */
  trustEmailVerified: boolean;
  /** `form_post` where the provider answers the redirect with a POST (Apple). */
  responseMode: 'query' | 'form_post';
  /** Apple's SDKs send SHA-256(nonce) and Apple puts that hash in the ID token's `nonce`. */
  nonceHashed: boolean;
  /** What an admin must know about the provider (shown by the console and in docs/connections.md). */
  notes: string;
}

const MICROSOFT_DEFAULT_TENANT = 'common';

/**
 * Microsoft Entra ID's endpoints for a tenant: `common` (any work or personal account, the default),
 * `organizations`, `consumers`, or a tenant id / domain. Caveat: with `common` and `organizations` the ID token's
 * `iss` is the signing-in user's own tenant (`https://login.microsoftonline.com/{tid}/v2.0`), not this issuer, so
 * the verifier must check `iss` against the template with the token's `tid`.
 */
export function microsoftEndpoints(tenant: string = MICROSOFT_DEFAULT_TENANT): ConnectionEndpoints {
  const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}`;
  return {
    issuer: `${base}/v2.0`,
    authorizationUrl: `${base}/oauth2/v2.0/authorize`,
    tokenUrl: `${base}/oauth2/v2.0/token`,
    userinfoUrl: 'https://graph.microsoft.com/oidc/userinfo',
    jwksUri: `${base}/discovery/v2.0/keys`,
  };
}

const STANDARD = { emailsUrl: null, responseMode: 'query', nonceHashed: false } as const;

/** The built-in providers, and the two generic kinds. */
export const CONNECTION_PRESETS_TABLE: Record<ConnectionPresetName, ConnectionPreset> = {
  google: {
    ...STANDARD,
    kind: 'oidc',
    displayName: 'Google',
    endpoints: {
      issuer: 'https://accounts.google.com',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
    },
    scopes: ['openid', 'email', 'profile'],
    claimMapping: { email: 'email', name: 'name' },
    trustEmailVerified: true,
    notes: 'Android and iOS apps have their own client ids: add them as allowed audiences.',
  },
  apple: {
    ...STANDARD,
    kind: 'oidc',
    displayName: 'Apple',
    endpoints: {
      issuer: 'https://appleid.apple.com',
      authorizationUrl: 'https://appleid.apple.com/auth/authorize',
      tokenUrl: 'https://appleid.apple.com/auth/token',
      userinfoUrl: null,
      jwksUri: 'https://appleid.apple.com/auth/keys',
    },
    scopes: ['name', 'email'],
    // The ID token has no name: Apple posts it once, on the first sign-in, beside the code (form_post `user`).
    claimMapping: { email: 'email' },
    trustEmailVerified: true,
    responseMode: 'form_post',
    nonceHashed: true,
    notes:
      'The client id is the Services ID (web) or the bundle id (native: add it as an allowed audience); the client secret is a JWT signed with the team key. Apple answers with response_mode=form_post and its SDKs send the SHA-256 of the nonce.',
  },
  microsoft: {
    ...STANDARD,
    kind: 'oidc',
    displayName: 'Microsoft Entra ID',
    endpoints: microsoftEndpoints(),
    scopes: ['openid', 'email', 'profile'],
    claimMapping: { email: 'email', name: 'name' },
    // Entra's email claim is whatever the tenant's admin typed: not proof of ownership.
    trustEmailVerified: false,
    notes:
      "Tenant 'common' by default. With common or organizations the ID token's iss is the user's own tenant (https://login.microsoftonline.com/{tid}/v2.0), not the configured issuer.",
  },
  github: {
    ...STANDARD,
    kind: 'oauth2',
    displayName: 'GitHub',
    endpoints: {
      issuer: null,
      authorizationUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      userinfoUrl: 'https://api.github.com/user',
      jwksUri: null,
    },
    emailsUrl: 'https://api.github.com/user/emails',
    scopes: ['read:user', 'user:email'],
    claimMapping: { email: 'email', name: 'name' },
    // The emails endpoint says which addresses are verified.
    trustEmailVerified: true,
    notes: 'OAuth 2.0 only: the profile comes from /user, the verified primary address from /user/emails.',
  },
  facebook: {
    ...STANDARD,
    kind: 'oauth2',
    displayName: 'Facebook',
    endpoints: {
      issuer: null,
      authorizationUrl: 'https://www.facebook.com/v19.0/dialog/oauth',
      tokenUrl: 'https://graph.facebook.com/v19.0/oauth/access_token',
      userinfoUrl: 'https://graph.facebook.com/me?fields=id,name,email',
      jwksUri: null,
    },
    scopes: ['public_profile', 'email'],
    claimMapping: { email: 'email', name: 'name' },
    // The Graph API says nothing of verification.
    trustEmailVerified: false,
    notes: 'OAuth 2.0 with the Graph API as userinfo; the email is absent when the user has none or declines it.',
  },
  oidc: {
    ...STANDARD,
    kind: 'oidc',
    displayName: 'OpenID Connect',
    endpoints: null,
    scopes: ['openid', 'email', 'profile'],
    claimMapping: { email: 'email', name: 'name' },
    trustEmailVerified: false,
    notes: "Give the provider's discovery URL (or its issuer): the issuer and endpoints are read from it.",
  },
  oauth2: {
    ...STANDARD,
    kind: 'oauth2',
    displayName: 'OAuth 2.0',
    endpoints: null,
    scopes: [],
    claimMapping: {},
    trustEmailVerified: false,
    notes: 'Give the authorization, token and userinfo endpoints by hand.',
  },
};

/** The discovery document's URL for an issuer or a discovery URL (OIDC Discovery §4). */
export function discoveryUrlOf(value: string): string {
  if (value.endsWith('/.well-known/openid-configuration')) return value;
  return `${value.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** The provider-specific settings a create body may give besides the common ones. */
export interface EndpointsInput {
  tenant?: string | undefined;
  authorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  userinfoUrl?: string | undefined;
}

/**
 * The endpoints of a connection created from a preset, or the fields missing to make them: the built-in presets
 * fill everything (Microsoft from its tenant); generic OAuth 2.0 needs its three endpoints; generic OIDC is filled
 * by discovery instead (undefined here).
 */
export function presetEndpoints(
  preset: ConnectionPresetName,
  input: EndpointsInput,
): { endpoints: ConnectionEndpoints } | { missing: string[] } | undefined {
  if (preset === 'microsoft') return { endpoints: microsoftEndpoints(input.tenant) };
  const fixed = CONNECTION_PRESETS_TABLE[preset].endpoints;
  if (fixed) return { endpoints: fixed };
  if (preset === 'oidc') return undefined;
  const { authorizationUrl, tokenUrl, userinfoUrl } = input;
  if (!authorizationUrl || !tokenUrl || !userinfoUrl)
    return {
      missing: (['authorizationUrl', 'tokenUrl', 'userinfoUrl'] as const).filter((field) => !input[field]),
    };
  return { endpoints: { issuer: null, authorizationUrl, tokenUrl, userinfoUrl, jwksUri: null } };
}
