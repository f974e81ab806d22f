import { ApiErrorBody } from '@keyway/admin-api';
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './admin-api.generated';

/**
 * The typed client of Keyway's admin API. Every path, parameter, request body and response type comes from
 * the committed OpenAPI document (apps/api/openapi.json), generated into `admin-api.generated.ts` by
 * openapi-typescript (`npm run generate:admin-client`; lint fails when it is stale), and requests go through
 * openapi-fetch. The console uses it through its own proxy; automation uses it with an API key:
 *
 *     const admin = createAdminClient({ baseUrl: 'https://id.example.com', apiKey: process.env.KEYWAY_API_KEY });
 *     const apps = await ok(admin.GET('/api/admin/v1/projects/{slug}/applications', {
 *       params: { path: { slug: 'acme' } },
 *     }));
 */
export type AdminClient = Client<paths>;
export type { paths as AdminPaths } from './admin-api.generated';

/** The JSON body an operation takes: `AdminRequestBody<'/api/admin/v1/projects/{slug}', 'patch'>`. */
export type AdminRequestBody<
  P extends keyof paths,
  M extends 'post' | 'put' | 'patch' | 'delete',
> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

export interface AdminClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The API's origin, e.g. https://id.example.com; '' for same-origin requests (the console's proxy). */
  baseUrl: string;
  /** A project API key (kwk_…), a console user's access token or the root token: sent as a Bearer token. */
  apiKey?: string;
}

export function createAdminClient({ baseUrl, apiKey, headers, ...options }: AdminClientOptions): AdminClient {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
    ...options,
  });
}

/** A refused request: its HTTP status and the API's error body (or one made up when the answer was not one). */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.description || body.message);
    this.name = 'AdminApiError';
  }

  /** The problem with one field of the body sent, as the API named it (`slug`, `redirectUris.0`), if any. */
  fieldMessage(field: string): string | undefined {
    return this.body.fields?.find((entry) => entry.field === field)?.message;
  }
}

/**
 * The answer's body when the request succeeded; an AdminApiError otherwise. `await ok(admin.GET(…))` reads
 * like the call it wraps, and the body keeps the type the document gives it.
 */
export async function ok<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  const body = ApiErrorBody.safeParse(error);
  throw new AdminApiError(
    response.status,
    body.success
      ? body.data
      : {
          code: `HTTP-${response.status}`,
          message: response.statusText || 'Request failed.',
          description: `The server answered HTTP ${response.status}.`,
        },
  );
}
