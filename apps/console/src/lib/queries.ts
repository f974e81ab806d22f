'use client';

import { useQuery } from '@tanstack/react-query';
import { queryKeys, type Caller, type ProjectView } from './admin-types';
import { useConsoleApi } from './console-api';

/** The signed-in user and their projects (GET /api/admin/v1/me through the console's proxy). */
export function useCaller() {
  const api = useConsoleApi();
  return useQuery({ queryKey: queryKeys.me, queryFn: () => api.get<Caller>('/api/admin/me') });
}

export function useProject(slug: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.project(slug),
    queryFn: () => api.get<ProjectView>(`/api/admin/projects/${encodeURIComponent(slug)}`),
  });
}

export function useProjectPermissions(slug: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.permissions(slug),
    queryFn: () => api.get<{ permissions: string[] }>(`/api/admin/projects/${encodeURIComponent(slug)}/me/permissions`),
  });
}
