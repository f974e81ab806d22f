import type { ApplicationView } from '@keyway/admin-api';

/** What the console checks before sending an application, mirroring the API's rules (the API checks again). */

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
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
