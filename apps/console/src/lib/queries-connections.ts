'use client';

import { ConnectionView } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// A project's connections to upstream identity providers, from the admin API through the console's proxy.

export const connectionKeys = {
  list: (slug: string) => ['admin', 'projects', slug, 'connections'] as const,
};

export function useConnections(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: connectionKeys.list(slug),
    queryFn: async () =>
      z
        .array(ConnectionView)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/connections', { params: { path: { slug } } }))),
  });
}
