/**
 * What the console adds to the admin API's contract (@keyway/admin-api, the answers' zod schemas): the system
 * project's slug and the query keys the pages share.
 */

export const SYSTEM_PROJECT_SLUG = 'keyway-admin';

export const queryKeys = {
  me: ['admin', 'me'] as const,
  project: (slug: string) => ['admin', 'projects', slug] as const,
  permissions: (slug: string) => ['admin', 'projects', slug, 'permissions'] as const,
};
