import type { NextRequest } from 'next/server';
import { refuseCrossSite } from '../../../../lib/server/csrf';
import { NO_STORE } from '../../../../lib/server/responses';
import { endSession } from '../../../../lib/server/sessions';

/**
 * Signs out: the session and its tokens are forgotten here. The API has no revocation endpoint yet, so its
 * session ends when the refresh token expires unused; the access token the console held lapses within minutes.
 */
export async function POST(request: NextRequest): Promise<Response> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  await endSession();
  return new Response(null, { status: 204, headers: NO_STORE });
}
