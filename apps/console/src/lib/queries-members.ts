'use client';

import { ApiKey, AuditEvent, Invitation, listPage, Member, PermissionDescription, Role } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// Who may do what in a project (members, invitations, roles, API keys) and what was done (the audit log),
// from the admin API through the console's proxy, answers checked against the shared contract.

export const accessKeys = {
  members: (slug: string) => ['admin', 'projects', slug, 'members'] as const,
  invitations: (slug: string) => ['admin', 'projects', slug, 'invitations'] as const,
  roles: (slug: string) => ['admin', 'projects', slug, 'roles'] as const,
  apiKeys: (slug: string) => ['admin', 'projects', slug, 'api-keys'] as const,
  permissionCatalog: ['admin', 'permission-catalog'] as const,
  audit: (slug: string, filters: AuditFilters) => ['admin', 'projects', slug, 'audit-events', filters] as const,
  auditAll: (slug: string) => ['admin', 'projects', slug, 'audit-events'] as const,
};

const inProject = (slug: string) => ({ params: { path: { slug } } });

export function useMembers(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: accessKeys.members(slug),
    queryFn: async () =>
      z.array(Member).parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/members', inProject(slug)))),
  });
}

export function useInvitations(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: accessKeys.invitations(slug),
    queryFn: async () =>
      z.array(Invitation).parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/invitations', inProject(slug)))),
  });
}

export function useRoles(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: accessKeys.roles(slug),
    queryFn: async () =>
      z.array(Role).parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/roles', inProject(slug)))),
  });
}

export function useApiKeys(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: accessKeys.apiKeys(slug),
    queryFn: async () =>
      z.array(ApiKey).parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/api-keys', inProject(slug)))),
  });
}

/** Every permission a role can hold, with what it allows: the same for every project. */
export function usePermissionCatalog() {
  const admin = useAdminClient();
  return useQuery({
    queryKey: accessKeys.permissionCatalog,
    queryFn: async () => z.array(PermissionDescription).parse(await ok(admin.GET('/api/admin/v1/permissions'))),
    staleTime: Infinity,
  });
}

/** The audit log's filters as the API takes them (and the page's URL keeps them); empty strings are no filter. */
export interface AuditFilters {
  actor: string;
  identity: string;
  type: string;
  from: string;
  to: string;
}

const AUDIT_PAGE_SIZE = 25;

/** The project's audit log, newest first, a page of 25 at a time ("Load more" asks for the next one). */
export function useAuditEvents(slug: string, filters: AuditFilters, enabled = true) {
  const admin = useAdminClient();
  return useInfiniteQuery({
    enabled,
    queryKey: accessKeys.audit(slug, filters),
    initialPageParam: '',
    queryFn: async ({ pageParam }) => {
      const query: Record<string, string> = { limit: String(AUDIT_PAGE_SIZE) };
      for (const [name, value] of Object.entries(filters)) if (value) query[name] = value;
      if (pageParam) query['cursor'] = pageParam;
      return listPage(AuditEvent).parse(
        await ok(admin.GET('/api/admin/v1/projects/{slug}/audit-events', { params: { path: { slug }, query } })),
      );
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}
