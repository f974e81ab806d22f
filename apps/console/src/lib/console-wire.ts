import { AuthnRequest, FlowMessage, FlowStepResponse, NextStep } from '@keyway/flow-types';
import { z } from 'zod';

/**
 * What the browser and the console's own routes say to each other (app/api/auth/…). The flow itself is the
 * API's (libs/flow-types); the console's server keeps the flow id, PKCE verifier and tokens, so the browser
 * only ever sees the step to render.
 */

/** Header carrying the double-submit CSRF token on every state-changing request to the console's routes. */
export const CSRF_HEADER = 'x-keyway-csrf';

/** POST /api/auth/sign-in: start signing in; `returnTo` is where to go afterwards (a path of the console). */
export const SignInStartBody = z.object({ returnTo: z.string().max(2048).optional() }).strict();

/** POST /api/auth/sign-in/step: the answer to the current step, as /oauth2/authn's `selectedAuthenticator`. */
export const SignInStepBody = AuthnRequest.shape.selectedAuthenticator;
export type SignInStepBody = z.infer<typeof SignInStepBody>;

/** The answer of both sign-in routes. */
export const SignInState = z.discriminatedUnion('status', [
  /** A step to render (again, with its messages, after FAIL_INCOMPLETE). */
  z.object({ status: z.literal('step'), flowStatus: FlowStepResponse.shape.flowStatus, nextStep: NextStep }),
  /** FAIL_COMPLETED: this sign-in is over (locked, too many failures); a new one may start. */
  z.object({ status: z.literal('failed'), messages: z.array(FlowMessage) }),
  /** Signed in: the session cookie is set. */
  z.object({ status: z.literal('signed-in'), returnTo: z.string() }),
]);
export type SignInState = z.infer<typeof SignInState>;

/** A path of the console to return to after signing in; anything else (another origin, `//host`) becomes `/`. */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return '/';
  if (candidate.startsWith('/api/') || candidate.startsWith('/sign-in')) return '/';
  return candidate;
}
