'use client';

import { ProjectView, SigningKeyView } from '@keyway/admin-api';
import { ok, type AdminRequestBody } from '@keyway/admin-client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { queryKeys } from './admin-types';
import { useAdminClient } from './console-api';

// The project settings page's changes: PATCH the project (name, settings merged over the current ones) and
// DELETE it. Reading it is useProject (queries.ts). Its signing keys: list and rotate.

export type ProjectChanges = AdminRequestBody<'/api/admin/v1/projects/{slug}', 'patch'>;

export function useProjectActions(slug: string) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  return {
    /** Saves the changes; the project as the API now has it. Throws AdminApiError when refused. */
    update: async (changes: ProjectChanges): Promise<ProjectView> => {
      const updated = ProjectView.parse(
        await ok(admin.PATCH('/api/admin/v1/projects/{slug}', { params: { path: { slug } }, body: changes })),
      );
      queryClient.setQueryData(queryKeys.project(slug), updated);
      // The name shows in the project switcher and lists (GET /me).
      if (changes.name !== undefined) await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      return updated;
    },
    /** Deletes the project and everything in it; `confirm` must repeat the slug (the API checks it). */
    remove: async (confirm: string): Promise<void> => {
      await ok(admin.DELETE('/api/admin/v1/projects/{slug}', { params: { path: { slug }, query: { confirm } } }));
      queryClient.removeQueries({ queryKey: queryKeys.project(slug) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  };
}

const SigningKeys = z.array(SigningKeyView);
export type SigningKeyAlg = SigningKeyView['alg'];

/** The project's published signing keys (next, active, retiring). */
export function useSigningKeys(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.signingKeys(slug),
    queryFn: async () =>
      SigningKeys.parse(
        await ok(admin.GET('/api/admin/v1/projects/{slug}/signing-keys', { params: { path: { slug } } })),
      ),
  });
}

/** Rotates one alg's keys, or all of them (alg undefined); the keys as they are afterwards. Throws AdminApiError (409: too soon). */
export function useRotateSigningKeys(slug: string) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  return async (alg: SigningKeyAlg | undefined): Promise<SigningKeyView[]> => {
    const keys = SigningKeys.parse(
      await ok(
        admin.POST('/api/admin/v1/projects/{slug}/signing-keys/rotate', {
          params: { path: { slug } },
          body: alg ? { alg } : {},
        }),
      ),
    );
    queryClient.setQueryData(queryKeys.signingKeys(slug), keys);
    return keys;
  };
}
