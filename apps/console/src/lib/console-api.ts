'use client';

import { ApiErrorBody } from '@keyway/admin-api';
import { createContext, useContext } from 'react';
import { CSRF_HEADER } from './console-wire';

/** A refused request: its HTTP status and the error body (or one made up when the answer was not one). */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.description || body.message);
  }

  /** The problem with one field of the body sent, as the API named it (`slug`, `name`), if any. */
  fieldMessage(field: string): string | undefined {
    return this.body.fields?.find((entry) => entry.field === field)?.message;
  }
}

export interface ConsoleApi {
  /** The answer's JSON, unchecked: callers parse it with the contract's schema. */
  get(path: string): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
  patch(path: string, body: unknown): Promise<unknown>;
  /** DELETE, with a body when the API asks for one (a help-desk reason). */
  delete(path: string, body?: unknown): Promise<unknown>;
}

/**
 * Requests to the console's own routes, as the pages make them: JSON, the CSRF token in its header. Outside
 * the sign-in routes, a 401 means the session is over: the browser goes to sign-in and comes back here after.
 */
export function consoleApi(csrfToken: string): ConsoleApi {
  async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        [CSRF_HEADER]: csrfToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
    });
    if (response.status === 401 && !path.startsWith('/api/auth/')) {
      const here = `${window.location.pathname}${window.location.search}`;
      window.location.assign(`/sign-in?returnTo=${encodeURIComponent(here)}`);
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = ApiErrorBody.safeParse(parsed);
      throw new ConsoleApiError(
        response.status,
        error.success
          ? error.data
          : {
              code: `HTTP-${response.status}`,
              message: response.statusText || 'Request failed.',
              description: `The console answered HTTP ${response.status}.`,
              traceId: '',
            },
      );
    }
    return parsed;
  }
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body ?? {}),
    patch: (path, body) => send('PATCH', path, body),
    delete: (path, body) => send('DELETE', path, body),
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
