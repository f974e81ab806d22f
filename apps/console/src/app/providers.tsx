'use client';

import { AdminApiError } from '@keyway/admin-client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { ConsoleApiContext, consoleApi } from '../lib/console-api';

export function Providers({ csrfToken, children }: { csrfToken: string; children: ReactNode }) {
  // Created once per browser tab (inside state, not at module level) so that server renders never share
  // a cache between requests and a re-render never throws the cache away.
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            // A refusal (4xx) will not change by asking again; network trouble and 5xx may.
            retry: (failures, error) => !(error instanceof AdminApiError && error.status < 500) && failures < 2,
          },
        },
      }),
  );
  const api = useMemo(() => consoleApi(csrfToken), [csrfToken]);
  return (
    <ConsoleApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ConsoleApiContext.Provider>
  );
}
