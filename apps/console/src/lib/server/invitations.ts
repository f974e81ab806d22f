import 'server-only';
import type { NextRequest } from 'next/server';
import type { z } from 'zod';
import { apiUrl } from './config';
import { refuseCrossSite } from './csrf';
import { badGateway, NO_STORE, readJson } from './responses';

const TIMEOUT_MS = 15_000;

/**
 * An invitation link's request (lookup or accept), passed on to the API's public endpoint of the same name
 * (`/api/admin/v1/invitations/<action>`). Whoever opens the link has no session: nothing is added but the
 * browser's User-Agent; the request is checked against cross-site forgery like every other change, and its
 * body against `schema`. The API's status and JSON come back as they are (400 KW-40001 for a link that does
 * not work, per-field complaints about the password, 429 with Retry-After).
 */
export async function forwardInvitation(
  request: NextRequest,
  action: 'lookup' | 'accept',
  schema: z.ZodType,
): Promise<Response> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const body = await readJson(request, schema);
  if (body instanceof Response) return body;
  const userAgent = request.headers.get('user-agent');
  let upstream: Response;
  try {
    upstream = await fetch(`${apiUrl()}/api/admin/v1/invitations/${action}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        ...(userAgent ? { 'user-agent': userAgent } : {}),
      },
      body: JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return badGateway(`The console's server could not reach the API at ${apiUrl()}.`, error);
  }
  const headers: Record<string, string> = { ...NO_STORE };
  for (const name of ['content-type', 'retry-after']) {
    const value = upstream.headers.get(name);
    if (value) headers[name] = value;
  }
  return new Response(upstream.status === 204 ? null : await upstream.arrayBuffer(), {
    status: upstream.status,
    headers,
  });
}
