import type { ApplicationView } from '@keyway/admin-api';
import type { AdminRequestBody } from '@keyway/admin-client';

/** What the console checks before sending an application, mirroring the API's rules (the API checks again). */

/** RFC 8693 token exchange: a trusted partner's token for the app's sign-in (Token issuers page). */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** The grant types a client of this type may have: client_credentials only for confidential clients. */
export function grantTypesFor(type: ApplicationView['type']): readonly GrantType[] {
  return type === 'confidential' ? GRANT_TYPES : GRANT_TYPES.filter((grant) => grant !== 'client_credentials');
}

/** As the API: https, a private-use scheme (reverse domain), or http on a loopback address; no fragment. */
export function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value || 'An empty line'} is not an absolute URI`;
  }
  if (url.hash || value.includes('#')) return `${value} has a fragment (#…)`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
      ? undefined
      : `${value}: http is for loopback addresses only; use https`;
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return undefined;
  return `${value}: use https, a private-use scheme like com.example.app:/callback, or http on a loopback address`;
}

/** One URI a line; blank lines ignored. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function urisProblem(uris: string[], required: boolean): string | undefined {
  if (required && uris.length === 0) return 'At least one redirect URI is required.';
  if (uris.length > 50) return 'At most 50 URIs.';
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) return problem;
  }
  return undefined;
}

/** The algs an application may have its ID tokens signed with (the project has a key of each). */
export const ID_TOKEN_ALGS: { value: ApplicationView['idTokenSignedResponseAlg']; label: string }[] = [
  { value: 'RS256', label: 'RS256 (RSA; every OpenID Connect client accepts it)' },
  { value: 'ES256', label: 'ES256 (ECDSA P-256)' },
  { value: 'EdDSA', label: 'EdDSA (Ed25519)' },
];

export type Preset = 'native' | 'web' | 'spa' | 'service' | 'machine';

export const PRESETS: Record<
  Preset,
  {
    label: string;
    description: string;
    type: ApplicationView['type'];
    appNative: boolean;
    /** Empty for a client that never redirects a browser (client_credentials only). */
    redirectExample: string;
    /** Unless the API's default (authorization_code, refresh_token). */
    grantTypes?: GrantType[];
  }
> = {
  native: {
    label: 'Native app',
    description: 'A mobile or desktop app that signs users in with its own screens (app-native API).',
    type: 'public',
    appNative: true,
    redirectExample: 'com.example.app:/callback',
  },
  web: {
    label: 'Web app',
    description: 'A server-rendered site that keeps a client secret on its server.',
    type: 'confidential',
    appNative: false,
    redirectExample: 'https://app.example.com/auth/callback',
  },
  spa: {
    label: 'Single-page app',
    description: 'A browser app with no server of its own: public, PKCE.',
    type: 'public',
    appNative: false,
    redirectExample: 'https://app.example.com/callback',
  },
  service: {
    label: 'Service',
    description: 'A backend that holds a secret (confidential).',
    type: 'confidential',
    appNative: false,
    redirectExample: 'https://service.example.com/callback',
  },
  machine: {
    label: 'Machine to machine',
    description: 'A backend that calls your APIs on its own behalf (client_credentials); no user signs in.',
    type: 'confidential',
    appNative: false,
    redirectExample: '',
    grantTypes: ['client_credentials'],
  },
};

/** How a confidential client authenticates (a public one always uses `none`). */
export const SECRET_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ConfidentialMethod = (typeof SECRET_METHODS)[number] | 'private_key_jwt';

export const METHOD_LABELS: Record<ConfidentialMethod, string> = {
  client_secret_basic: 'Client secret, HTTP Basic (client_secret_basic)',
  client_secret_post: 'Client secret in the request body (client_secret_post)',
  private_key_jwt: 'Signed JWT with the app’s private key (private_key_jwt)',
};

/** The client authentication part of the forms: the method and, for private_key_jwt, where its public keys are. */
export interface ClientAuthenticationDraft {
  method: ConfidentialMethod;
  keySource: 'jwks' | 'jwksUri';
  jwksText: string;
  jwksUri: string;
}

export function draftOf(application?: ApplicationView): ClientAuthenticationDraft {
  const method = application?.tokenEndpointAuthMethod;
  return {
    method: method === undefined || method === 'none' ? 'client_secret_basic' : method,
    keySource: application?.jwksUri ? 'jwksUri' : 'jwks',
    jwksText: application?.jwks ? JSON.stringify(application.jwks, null, 2) : '',
    jwksUri: application?.jwksUri ?? '',
  };
}

type ApplicationChanges = AdminRequestBody<'/api/admin/v1/projects/{slug}/applications/{clientId}', 'patch'>;
/** Fits both the create and the update body. */
interface ClientAuthenticationBody {
  tokenEndpointAuthMethod: ConfidentialMethod;
  jwks?: NonNullable<ApplicationChanges['jwks']>;
  jwksUri?: string;
}

/**
 * What to send for a draft, or the problem with it (the field it belongs to and a message). The API checks the
 * keys themselves (public, asymmetric, importable) and answers what is wrong with them.
 */
export function clientAuthenticationBody(
  draft: ClientAuthenticationDraft,
): { body: ClientAuthenticationBody } | { field: 'jwks' | 'jwksUri'; problem: string } {
  if (draft.method !== 'private_key_jwt') return { body: { tokenEndpointAuthMethod: draft.method } };
  if (draft.keySource === 'jwksUri') {
    let url: URL | undefined;
    try {
      url = new URL(draft.jwksUri.trim());
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      return { field: 'jwksUri', problem: 'Enter the https URL where the app publishes its JWK Set.' };
    return { body: { tokenEndpointAuthMethod: draft.method, jwksUri: draft.jwksUri.trim() } };
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(draft.jwksText);
  } catch {
    return { field: 'jwks', problem: 'Paste a JSON Web Key Set: {"keys": [ … ]}.' };
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'object' || key === null))
    return { field: 'jwks', problem: 'A JWK Set is an object with a non-empty "keys" array.' };
  if (keys.some((key) => 'd' in key || 'k' in key))
    return { field: 'jwks', problem: 'This is a private key: paste the public key only.' };
  // Each key's members are the API's to check (it names what is wrong with a key).
  return {
    body: { tokenEndpointAuthMethod: draft.method, jwks: { keys } as NonNullable<ClientAuthenticationBody['jwks']> },
  };
}
