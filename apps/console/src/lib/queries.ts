'use client';

import {
  ApplicationView,
  AuditEvent,
  Caller,
  Identity,
  IdentityDetail,
  listPage,
  LoginOption,
  ProjectPermissions,
  ProjectView,
  Session,
} from '@keyway/admin-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
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

const projectPath = (slug: string) => `/api/admin/projects/${encodeURIComponent(slug)}`;

/** Whether the caller holds `permission` in the project: undefined while the answer is not in. */
export function useCan(slug: string, permission: string): boolean | undefined {
  const { data } = useProjectPermissions(slug);
  return data ? data.permissions.includes(permission) : undefined;
}

export function useLoginOptions() {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.loginOptions,
    queryFn: async () => z.array(LoginOption).parse(await api.get('/api/admin/login-options')),
    staleTime: Infinity,
  });
}

export function useApplications(slug: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.applications(slug),
    queryFn: async () => z.array(ApplicationView).parse(await api.get(`${projectPath(slug)}/applications`)),
  });
}

export function useApplication(slug: string, clientId: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.application(slug, clientId),
    queryFn: async () =>
      ApplicationView.parse(await api.get(`${projectPath(slug)}/applications/${encodeURIComponent(clientId)}`)),
  });
}

export function useIdentities(slug: string, search: { q: string; state: string; cursor: string }) {
  const api = useConsoleApi();
  const params = new URLSearchParams();
  if (search.q.trim()) params.set('q', search.q.trim());
  if (search.state) params.set('state', search.state);
  if (search.cursor) params.set('cursor', search.cursor);
  return useQuery({
    queryKey: queryKeys.identities(slug, search.q.trim(), search.state, search.cursor),
    queryFn: async () =>
      listPage(Identity).parse(await api.get(`${projectPath(slug)}/identities?${params.toString()}`)),
    placeholderData: keepPreviousData,
  });
}

export function useIdentity(slug: string, id: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: queryKeys.identity(slug, id),
    queryFn: async () =>
      IdentityDetail.parse(await api.get(`${projectPath(slug)}/identities/${encodeURIComponent(id)}`)),
  });
}

export function useIdentitySessions(slug: string, id: string, enabled: boolean) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: [...queryKeys.identity(slug, id), 'sessions'],
    queryFn: async () =>
      z.array(Session).parse(await api.get(`${projectPath(slug)}/identities/${encodeURIComponent(id)}/sessions`)),
    enabled,
  });
}

export function useIdentityTimeline(slug: string, id: string) {
  const api = useConsoleApi();
  return useQuery({
    queryKey: [...queryKeys.identity(slug, id), 'timeline'],
    queryFn: async () =>
      listPage(AuditEvent).parse(
        await api.get(`${projectPath(slug)}/identities/${encodeURIComponent(id)}/timeline?limit=25`),
      ),
  });
}
