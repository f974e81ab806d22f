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
import { ok } from '@keyway/admin-client';
import { useAdminClient } from './console-api';

// The admin API's answers through the console's proxy: requests typed by the OpenAPI document
// (@keyway/admin-client), answers checked at run time against the shared contract (@keyway/admin-api).

/** The `{slug}` path parameter of a project's routes. */
const inProject = (slug: string) => ({ params: { path: { slug } } });

/** The signed-in user and their projects (GET /api/admin/v1/me). */
export function useCaller() {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => Caller.parse(await ok(admin.GET('/api/admin/v1/me'))),
  });
}

export function useProject(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.project(slug),
    queryFn: async () => ProjectView.parse(await ok(admin.GET('/api/admin/v1/projects/{slug}', inProject(slug)))),
  });
}

export function useProjectPermissions(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: queryKeys.permissions(slug),
    queryFn: async () =>
      ProjectPermissions.parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/me/permissions', inProject(slug)))),
  });
}

/** Whether the caller holds `permission` in the project: undefined while the answer is not in. */
export function useCan(slug: string, permission: string): boolean | undefined {
  const { data } = useProjectPermissions(slug);
  return data ? data.permissions.includes(permission) : undefined;
}

export function useLoginOptions() {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.loginOptions,
    queryFn: async () => z.array(LoginOption).parse(await ok(admin.GET('/api/admin/v1/login-options'))),
    staleTime: Infinity,
  });
}

export function useApplications(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.applications(slug),
    queryFn: async () =>
      z
        .array(ApplicationView)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/applications', inProject(slug)))),
  });
}

export function useApplication(slug: string, clientId: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.application(slug, clientId),
    queryFn: async () =>
      ApplicationView.parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/applications/{clientId}', {
            params: { path: { slug, clientId } },
          }),
        ),
      ),
  });
}

const IDENTITY_STATES = ['active', 'disabled'] as const;

export function useIdentities(slug: string, search: { q: string; state: string; cursor: string }) {
  const admin = useAdminClient();
  const state = IDENTITY_STATES.find((known) => known === search.state);
  const query = {
    ...(search.q.trim() ? { q: search.q.trim() } : {}),
    ...(state ? { state } : {}),
    ...(search.cursor ? { cursor: search.cursor } : {}),
  };
  return useQuery({
    queryKey: queryKeys.identities(slug, search.q.trim(), search.state, search.cursor),
    queryFn: async () =>
      listPage(Identity).parse(
        await ok(admin.GET('/api/admin/v1/projects/{slug}/identities', { params: { path: { slug }, query } })),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useIdentity(slug: string, id: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: queryKeys.identity(slug, id),
    queryFn: async () =>
      IdentityDetail.parse(
        await ok(admin.GET('/api/admin/v1/projects/{slug}/identities/{id}', { params: { path: { slug, id } } })),
      ),
  });
}

export function useIdentitySessions(slug: string, id: string, enabled: boolean) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: [...queryKeys.identity(slug, id), 'sessions'],
    queryFn: async () =>
      z
        .array(Session)
        .parse(
          await ok(
            admin.GET('/api/admin/v1/projects/{slug}/identities/{id}/sessions', { params: { path: { slug, id } } }),
          ),
        ),
    enabled,
  });
}

export function useIdentityTimeline(slug: string, id: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: [...queryKeys.identity(slug, id), 'timeline'],
    queryFn: async () =>
      listPage(AuditEvent).parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/identities/{id}/timeline', {
            params: { path: { slug, id }, query: { limit: '25' } },
          }),
        ),
      ),
  });
}
