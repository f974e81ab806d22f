'use client';

import { Caller, ProjectPermissions, ProjectView } from '@keyway/admin-api';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from './admin-types';
import { useConsoleApi } from './console-api';

// The admin API's answers, through the console's proxy, checked against the shared contract (@keyway/admin-api).

/** The signed-in user and their projects (GET /api/admin/v1/me). */
export function useCaller() {
  const api = useConsoleApi();
  return useQuery({ queryKey: queryKeys.me, queryFn: async () => Caller.parse(await api.get('/api/admin/me')) });
}

export function useProject(slug: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.project(slug),
    queryFn: async () => ProjectView.parse(await api.get(`/api/admin/projects/${encodeURIComponent(slug)}`)),
  });
}

export function useProjectPermissions(slug: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.permissions(slug),
    queryFn: async () =>
      ProjectPermissions.parse(await api.get(`/api/admin/projects/${encodeURIComponent(slug)}/me/permissions`)),
  });
}
