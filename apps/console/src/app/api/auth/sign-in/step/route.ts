import type { NextRequest } from 'next/server';
import { SignInStepBody } from '../../../../../lib/console-wire';
import { refuseCrossSite } from '../../../../../lib/server/csrf';
import { readJson } from '../../../../../lib/server/responses';
import { answerStep } from '../../../../../lib/server/sign-in';

/** Answers the current step: `{authenticatorId, params?}` → the next step, the flow's end, or signed in. */
export async function POST(request: NextRequest): Promise<Response> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const body = await readJson(request, SignInStepBody);
  if (body instanceof Response) return body;
  return answerStep(request.headers.get('user-agent'), body);
}
