import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ApiErrorBody } from '@keyway/flow-types';
import type { z } from 'zod';

/** Every answer of the console's own routes is private to one signed-in browser: never cached anywhere. */
export const NO_STORE = { 'cache-control': 'no-store' } as const;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * An error of the console's own routes, in the API's shape (`{code, message, description, traceId}`,
 * docs/errors.md) so the browser reads every error alike. Server faults are logged under their traceId;
 * the browser gets the description and the id, never the cause.
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  description: string,
  cause?: unknown,
): Response {
  const traceId = randomUUID();
  if (status >= 500) console.error(`[console] ${code} ${description} (traceId ${traceId})`, cause ?? '');
  return json({ code, message, description, traceId } satisfies ApiErrorBody, status);
}

export const notSignedIn = (description = 'Sign in to the console first.') =>
  errorResponse(401, 'KW-40100', 'Unauthorized.', description);

export const badRequest = (description: string) => errorResponse(400, 'KW-40000', 'Invalid request.', description);

/** The console's server could not use the API: unreachable, or an answer it cannot read. */
export const badGateway = (description: string, cause?: unknown) =>
  errorResponse(502, 'KW-50200', 'The API could not be reached.', description, cause);

/** The request's JSON body checked against its schema; a 400 naming every problem otherwise. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | Response> {
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
    return errorResponse(415, 'KW-41500', 'Unsupported media type.', 'Send the body as application/json.');
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return badRequest('body: is not JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return badRequest(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
    );
  return parsed.data;
}
