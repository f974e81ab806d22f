'use client';

import { createAdminClient, ok, type AdminClient } from '@keyway/admin-client';
import { createContext, useContext } from 'react';
import { CSRF_HEADER } from './console-wire';

export interface ConsoleApi {
  /**
   * The admin API, typed by its OpenAPI document (@keyway/admin-client), through the console's proxy: the
   * same paths (`/api/admin/v1/…`), called with the session's token by the console's server.
   */
  admin: AdminClient;
  /** POST to one of the console's own routes (`/api/auth/sign-in`, …). */
  post(path: string, body?: unknown): Promise<unknown>;
}

/**
 * Requests to the console's server as the pages make them: JSON, the CSRF token in its header. Outside the
 * sign-in routes, a 401 means the session is over: the browser goes to sign-in and comes back here after.
 */
export function consoleApi(csrfToken: string): ConsoleApi {
  // Once signing out has begun, a page's query still in flight comes back 401: that is the sign-out itself, and
  // sending the browser to sign-in "to come back here" would race (and beat) the sign-out's own navigation.
  let signingOut = false;
  const sessionFetch = async (request: Request): Promise<Response> => {
    const pathname = new URL(request.url, window.location.href).pathname;
    const signOut = pathname === '/api/auth/sign-out';
    if (signOut) signingOut = true;
    const response = await fetch(request).catch((error: unknown) => {
      if (signOut) signingOut = false;
      throw error;
    });
    // A failed sign-out leaves the user signed in, and an ended session must again lead to sign-in.
    if (signOut && !response.ok) signingOut = false;
    if (response.status === 401 && !signingOut && !pathname.startsWith('/api/auth/')) {
      const here = `${window.location.pathname}${window.location.search}`;
      window.location.assign(`/sign-in?returnTo=${encodeURIComponent(here)}`);
    }
    return response;
  };
  const admin = createAdminClient({
    // Same origin: a relative URL, resolved by the browser against the console's own address.
    baseUrl: '',
    headers: { [CSRF_HEADER]: csrfToken },
    cache: 'no-store',
    fetch: sessionFetch,
  });
  return {
    admin,
    post: async (path, body) => {
      const request = new Request(new URL(path, window.location.href), {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', [CSRF_HEADER]: csrfToken },
        body: JSON.stringify(body ?? {}),
        cache: 'no-store',
      });
      return ok(
        sessionFetch(request).then(async (response) => {
          const text = await response.text();
          const parsed: unknown = text ? safeJson(text) : undefined;
          return response.ok ? { data: parsed, response } : { error: parsed, response };
        }),
      );
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const ConsoleApiContext = createContext<ConsoleApi | null>(null);

export function useConsoleApi(): ConsoleApi {
  const api = useContext(ConsoleApiContext);
  if (!api) throw new Error('useConsoleApi() outside <Providers>');
  return api;
}

/** The typed admin API client of the signed-in session. */
export function useAdminClient(): AdminClient {
  return useConsoleApi().admin;
}
