import type { NextRequest } from 'next/server';
import { safeReturnPath, SignInStartBody } from '../../../../lib/console-wire';
import { refuseCrossSite } from '../../../../lib/server/csrf';
import { readJson } from '../../../../lib/server/responses';
import { startSignIn } from '../../../../lib/server/sign-in';

/** Starts signing in: `{returnTo?}` → the first step of the console's login flow (SignInState). */
export async function POST(request: NextRequest): Promise<Response> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const body = await readJson(request, SignInStartBody);
  if (body instanceof Response) return body;
  return startSignIn(request.headers.get('user-agent'), safeReturnPath(body.returnTo));
}
