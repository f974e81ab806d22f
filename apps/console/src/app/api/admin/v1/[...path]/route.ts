import type { NextRequest } from 'next/server';
import { apiUrl } from '../../../../../lib/server/config';
import { refuseCrossSite } from '../../../../../lib/server/csrf';
import { badGateway, badRequest, NO_STORE, notSignedIn } from '../../../../../lib/server/responses';
import { endSession, sessionAccessToken } from '../../../../../lib/server/sessions';

/**
 * The admin API for the browser: `/api/admin/v1/<path>` is `${KEYWAY_API_URL}/api/admin/v1/<path>` called with the
 * session's access token. The API decides what the user may do; this passes its status and JSON through. A
 * 401 (no session here, or the API no longer accepts its tokens) ends the session: the page goes to sign-in.
 */
async function forward(request: NextRequest, context: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const { path } = await context.params;
  // Segments arrive decoded: each is encoded again, and dot segments (which URL parsing would resolve,
  // climbing out of /api/admin/v1) are refused.
  if (path.some((segment) => segment === '' || segment === '.' || segment === '..'))
    return badRequest('The admin API path has an empty or dot segment.');
  let token: string | undefined;
  try {
    token = await sessionAccessToken();
  } catch (error) {
    return badGateway('The session could not be renewed at the API: try again.', error);
  }
  if (token === undefined) {
    await endSession();
    return notSignedIn();
  }

  const target = `${apiUrl()}/api/admin/v1/${path.map(encodeURIComponent).join('/')}${request.nextUrl.search}`;
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  const contentType = request.headers.get('content-type');
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body && contentType ? { 'content-type': contentType } : {}),
      },
      ...(body ? { body } : {}),
      cache: 'no-store',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return badGateway(`The console's server could not reach the API at ${apiUrl()}.`, error);
  }
  if (upstream.status === 401) await endSession();

  const headers: Record<string, string> = { ...NO_STORE };
  for (const name of ['content-type', 'retry-after', 'location']) {
    const value = upstream.headers.get(name);
    if (value) headers[name] = value;
  }
  const noBody = upstream.status === 204 || upstream.status === 304 || request.method === 'HEAD';
  return new Response(noBody ? null : await upstream.arrayBuffer(), { status: upstream.status, headers });
}

export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE };
