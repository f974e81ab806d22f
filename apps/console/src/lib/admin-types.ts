/**
 * The admin API's answers the console reads (GET /api/admin/v1/me, /projects…), as the API defines them in
 * apps/api/src/admin. Typed here because the console speaks to the API over HTTP only, never by import.
 */

/** GET /me: who is signed in, and what they may see. */
export interface Caller {
  kind: 'console-user' | 'api-key' | 'root';
  id: string;
  /** The console user's email address. */
  name: string;
  /** Owns the instance: creates projects and acts in every one. */
  instanceOwner: boolean;
  projects: CallerProject[];
}

export interface CallerProject {
  slug: string;
  name: string;
  /** The caller's role there; absent where an instance owner is not a member. */
  role?: string;
  permissions: string[];
}

/** GET /projects/{slug}, POST /projects. */
export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  issuer: string;
  settings: Record<string, unknown>;
}

export const SYSTEM_PROJECT_SLUG = 'keyway-admin';

export const queryKeys = {
  me: ['admin', 'me'] as const,
  project: (slug: string) => ['admin', 'projects', slug] as const,
  permissions: (slug: string) => ['admin', 'projects', slug, 'permissions'] as const,
};
