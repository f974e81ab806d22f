'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

export function Providers({ children }: { children: ReactNode }) {
  // Created once per browser tab (inside state, not at module level) so that server renders never share
  // a cache between requests and a re-render never throws the cache away.
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000 } } }));
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
