import { z } from 'zod';

/** A permission an API resource defines: an OAuth scope token (RFC 6749 §3.3) with a line saying what it allows. */
export interface ApiScope {
  name: string;
  description: string;
}

/**
 * An API a project's clients call (Auth0's "APIs", Logto's "API resources"). Its identifier is the RFC 8707
 * `resource` value that asks for it and the `aud` of the tokens minted for it (RFC 9068).
 */
export interface ApiResource {
  id: string;
  projectId: string;
  identifier: string;
  name: string;
  scopes: ApiScope[];
  /** Lifetime of its access tokens; null: the project's accessTokenTtlSeconds. */
  accessTokenTtlSeconds: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What an application may get of one API resource with client_credentials. */
export interface ResourceGrant {
  resource: ApiResource;
  /** Scope names of the resource the application may ask for (always a subset of the resource's scopes). */
  scopes: string[];
}

/** RFC 8707 §2: an absolute URI without a fragment. */
export function isResourceIdentifier(value: string): boolean {
  if (value.includes('#')) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

export const ResourceIdentifier = z
  .string()
  .max(2048)
  .refine(isResourceIdentifier, { message: 'must be an absolute URI without a fragment (RFC 8707)' });

/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
export const ScopeName = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'must be 1-128 printable ASCII characters without space, " or \\');
