'use client';

import { IdentitySchemaSummary, IdentitySchemaView } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { queryKeys } from './admin-types';
import { useAdminClient } from './console-api';

/** The Users pages' queries: the identity schema their forms are generated from, and what to refresh after a change. */

export const userQueryKeys = {
  /** Everything about the project's identity schemas: a schema change invalidates it as a whole. */
  schemas: (slug: string) => ['admin', 'projects', slug, 'identity-schemas'] as const,
  schemaVersions: (slug: string) => ['admin', 'projects', slug, 'identity-schemas', 'list'] as const,
  schemaVersion: (slug: string, version: number) =>
    ['admin', 'projects', slug, 'identity-schemas', 'version', version] as const,
  /** Every page of every search of the project's identities. */
  identityLists: (slug: string) => ['admin', 'projects', slug, 'identities', 'list'] as const,
};

/**
 * An identity schema version with its registration fields: `version`, or the project's default when
 * 'default' (GET identity-schemas, then GET identity-schemas/{version}). Needs schemas.read: pass
 * `enabled: false` when the caller lacks it.
 */
export function useIdentitySchema(slug: string, version: number | 'default', enabled: boolean) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey:
      version === 'default' ? [...userQueryKeys.schemas(slug), 'default'] : userQueryKeys.schemaVersion(slug, version),
    queryFn: async () => {
      let wanted = version;
      if (wanted === 'default') {
        const versions = z
          .array(IdentitySchemaSummary)
          .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/identity-schemas', { params: { path: { slug } } })));
        const found = versions.find((summary) => summary.isDefault) ?? versions[versions.length - 1];
        if (!found) throw new Error('The project has no identity schema.');
        wanted = found.version;
      }
      return IdentitySchemaView.parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/identity-schemas/{version}', {
            params: { path: { slug, version: String(wanted) } },
          }),
        ),
      );
    },
  });
}

/** After an identity changed: its page (detail, sessions, timeline) and every list it may appear in. */
export async function refreshIdentity(queryClient: QueryClient, slug: string, id: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.identity(slug, id) }),
    queryClient.invalidateQueries({ queryKey: userQueryKeys.identityLists(slug) }),
  ]);
}
