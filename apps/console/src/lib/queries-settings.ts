'use client';

import { ProjectView } from '@keyway/admin-api';
import { ok, type AdminRequestBody } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from './admin-types';
import { useAdminClient } from './console-api';

// The project settings page's changes: PATCH the project (name, settings merged over the current ones) and
// DELETE it. Reading it is useProject (queries.ts).

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
