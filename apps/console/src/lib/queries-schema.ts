'use client';

import { IdentitySchemaPreview, IdentitySchemaSummary, IdentitySchemaView } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// The identity schema page's data: the project's versions, one version with the registration fields it
// generates, and the preview of an unsaved draft (POST …/identity-schemas/preview, nothing stored).

export const schemaKeys = {
  versions: (slug: string) => ['admin', 'projects', slug, 'identity-schemas'] as const,
  version: (slug: string, version: number) => ['admin', 'projects', slug, 'identity-schemas', version] as const,
  preview: (slug: string, text: string) => ['admin', 'projects', slug, 'identity-schemas', 'preview', text] as const,
};

export function useSchemaVersions(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: schemaKeys.versions(slug),
    queryFn: async () =>
      z
        .array(IdentitySchemaSummary)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/identity-schemas', { params: { path: { slug } } }))),
  });
}

export function useSchemaVersion(slug: string, version: number | undefined) {
  const admin = useAdminClient();
  return useQuery({
    enabled: version !== undefined,
    queryKey: schemaKeys.version(slug, version ?? 0),
    queryFn: async () =>
      IdentitySchemaView.parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/identity-schemas/{version}', {
            params: { path: { slug, version: String(version) } },
          }),
        ),
      ),
    // A version never changes once written.
    staleTime: Infinity,
  });
}

/**
 * The registration fields a draft would generate, or the API's refusal (its `fields`: each problem by path).
 * `text` is the draft as typed (the key: the same text is asked once); `schema` its parsed value, undefined
 * while the draft is not a JSON object (nothing is asked then). The last answer stays while the next loads.
 */
export function useSchemaPreview(slug: string, text: string, schema: Record<string, unknown> | undefined) {
  const admin = useAdminClient();
  return useQuery({
    enabled: schema !== undefined,
    queryKey: schemaKeys.preview(slug, text),
    queryFn: async () =>
      IdentitySchemaPreview.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/identity-schemas/preview', {
            params: { path: { slug } },
            body: { schema: schema ?? {} },
          }),
        ),
      ),
    placeholderData: keepPreviousData,
    // A refused schema stays refused: no retry. The same text always gives the same answer.
    retry: false,
    staleTime: Infinity,
    gcTime: 60_000,
  });
}

/** Saving a version and choosing the default; both answer the version, which is cached as it is. */
export function useSchemaActions(slug: string) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const remember = async (view: IdentitySchemaView) => {
    queryClient.setQueryData(schemaKeys.version(slug, view.version), view);
    // The default moved, or a version was added: the list (and the other versions' isDefault) is stale.
    await queryClient.invalidateQueries({
      predicate: (query) =>
        query.queryKey[3] === 'identity-schemas' &&
        query.queryKey[2] === slug &&
        query.queryKey[4] !== 'preview' &&
        query.queryKey[4] !== view.version,
    });
    return view;
  };
  return {
    create: async (schema: Record<string, unknown>, setDefault: boolean) =>
      remember(
        IdentitySchemaView.parse(
          await ok(
            admin.POST('/api/admin/v1/projects/{slug}/identity-schemas', {
              params: { path: { slug } },
              body: { schema, setDefault },
            }),
          ),
        ),
      ),
    makeDefault: async (version: number) =>
      remember(
        IdentitySchemaView.parse(
          await ok(
            admin.PUT('/api/admin/v1/projects/{slug}/identity-schemas/default', {
              params: { path: { slug } },
              body: { version },
            }),
          ),
        ),
      ),
  };
}
