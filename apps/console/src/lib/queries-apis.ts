'use client';

import { ApiResourceView, ResourceGrantsView } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// A project's API resources (what client_credentials tokens are for) and which of them an application may get,
// from the admin API through the console's proxy, answers checked against the shared contract.

export const apiKeys = {
  resources: (slug: string) => ['admin', 'projects', slug, 'api-resources'] as const,
  grants: (slug: string, clientId: string) =>
    ['admin', 'projects', slug, 'applications', clientId, 'resource-grants'] as const,
};

export function useApiResources(slug: string, enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: apiKeys.resources(slug),
    queryFn: async () =>
      z
        .array(ApiResourceView)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/api-resources', { params: { path: { slug } } }))),
  });
}

export function useResourceGrants(slug: string, clientId: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: apiKeys.grants(slug, clientId),
    queryFn: async () =>
      ResourceGrantsView.parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/applications/{clientId}/resource-grants', {
            params: { path: { slug, clientId } },
          }),
        ),
      ),
  });
}
