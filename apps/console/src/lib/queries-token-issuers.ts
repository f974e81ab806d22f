'use client';

import { TokenIssuerView } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// A project's trusted token issuers (partner backends whose tokens sign users in), through the console's proxy.

export const tokenIssuerKeys = {
  list: (slug: string) => ['admin', 'projects', slug, 'token-issuers'] as const,
};

export function useTokenIssuers(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: tokenIssuerKeys.list(slug),
    queryFn: async () =>
      z
        .array(TokenIssuerView)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/token-issuers', { params: { path: { slug } } }))),
  });
}
