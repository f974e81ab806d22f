import { z } from 'zod';
import type { LinkingPolicy } from '../federation/linking-policy';

export const CONNECTION_KINDS = ['oidc', 'oauth2'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const CONNECTION_PRESETS = ['google', 'apple', 'microsoft', 'github', 'facebook', 'oidc', 'oauth2'] as const;
export type ConnectionPresetName = (typeof CONNECTION_PRESETS)[number];

// Federation's concept, stored on every connection.
export { LINKING_POLICIES, type LinkingPolicy } from '../federation/linking-policy';

/** How an application offers a connection: app-native sign-in (token exchange), the redirect flow, or both. */
export const CONNECTION_MODES = ['native', 'redirect', 'both'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

/** The upstream endpoints of a connection (null where the kind has none). */
export interface ConnectionEndpoints {
  issuer: string | null;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  userinfoUrl: string | null;
  jwksUri: string | null;
}

/** An upstream identity provider end users of a project may sign in with. The client secret is never in it. */
export interface Connection extends ConnectionEndpoints {
  id: string;
  projectId: string;
  /** Slug-like key, unique per project (later part of authenticator ids); never changes. */
  name: string;
  kind: ConnectionKind;
  preset: ConnectionPresetName;
  clientId: string;
  clientSecretSet: boolean;
  /** Further `aud` values accepted in the provider's ID tokens (the iOS / Android apps' client ids). */
  allowedAudiences: string[];
  scopes: string[];
  /** Generic OIDC: where the issuer and endpoints were discovered from. */
  discoveryUrl: string | null;
  /** Provider claim → identity trait. */
  claimMapping: Record<string, string>;
  /** Whether the provider's `email_verified` counts as a verified address here. */
  trustEmailVerified: boolean;
  linkingPolicy: LinkingPolicy;
  applications: ConnectionApplication[];
  createdAt: Date;
  updatedAt: Date;
}

/** An application (by its database id and client_id) on which a connection is offered. */
export interface ConnectionApplication {
  applicationId: string;
  clientId: string;
  mode: ConnectionMode;
}

/** A connection's name: lower case, URL-safe, like a slug (it appears in paths and authenticator ids). */
export const ConnectionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be 2-40 characters: lower-case letters, digits and -, a letter first');

/** Whether a hostname is a loopback address (http allowed there outside production, for local providers). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

/**
 * Why an upstream URL Keyway will call is refused, or undefined when it is fine: https only, except http on a
 * loopback address outside production (a local test provider).
 */
export function upstreamUrlProblem(value: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.hash) return 'must not have a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    return production ? 'must be https (http on a loopback address only outside production)' : undefined;
  return 'must be https (http only on a loopback address outside production)';
}
