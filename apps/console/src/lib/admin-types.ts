/**
 * What the console adds to the admin API's contract (@keyway/admin-api, the answers' zod schemas): the system
 * project's slug and the query keys the pages share.
 */

export const SYSTEM_PROJECT_SLUG = 'keyway-admin';

export const queryKeys = {
  me: ['admin', 'me'] as const,
  project: (slug: string) => ['admin', 'projects', slug] as const,
  signingKeys: (slug: string) => ['admin', 'projects', slug, 'signing-keys'] as const,
  permissions: (slug: string) => ['admin', 'projects', slug, 'permissions'] as const,
  loginOptions: ['admin', 'login-options'] as const,
  applications: (slug: string) => ['admin', 'projects', slug, 'applications'] as const,
  application: (slug: string, clientId: string) => ['admin', 'projects', slug, 'applications', clientId] as const,
  identities: (slug: string, q: string, state: string, cursor: string) =>
    ['admin', 'projects', slug, 'identities', 'list', q, state, cursor] as const,
  identity: (slug: string, id: string) => ['admin', 'projects', slug, 'identities', id] as const,
};
