import 'server-only';
import {
  ApiErrorBody,
  FlowResponse,
  OAuthErrorBody,
  type AuthnRequest,
  type FlowResponse as FlowAnswer,
} from '@keyway/flow-types';
import { cookies } from 'next/headers';
import * as oauth from 'oauth4webapi';
import type { SignInState, SignInStepBody } from '../console-wire';
import { clientSecret, CONSOLE_CLIENT_ID, ConsoleConfigError, cookieName, issuerUrl, redirectUri } from './config';
import { exchangeCode } from './oidc';
import { badGateway, errorResponse, json } from './responses';
import { MemorySessionStore, processWideStore, type SessionStore } from './session-store';
import { clearCookie, cookieOptions, newId, startSession, storeKey } from './sessions';

/**
 * Signing in through Keyway's app-native API, the console's server being the client: it starts the flow
 * (`/oauth2/authorize`, response_mode=direct, PKCE S256, authenticated as the confidential `keyway-console`),
 * relays each step to the browser and its answers to `/oauth2/authn`, and exchanges the final code for tokens.
 * The flow id, PKCE verifier, state and nonce stay here, under a short-lived cookie of their own.
 */
interface PendingSignIn {
  flowId: string;
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

const SIGN_IN_COOKIE = 'keyway-console-sign-in';
/** As long as the API keeps a flow by default (flowTtlSeconds). */
const SIGN_IN_TTL_SECONDS = 600;
const TIMEOUT_MS = 15_000;

const pendingSignIns = (): SessionStore<PendingSignIn> =>
  processWideStore('sign-ins', () => new MemorySessionStore<PendingSignIn>(10_000));

const signInCookieName = () => cookieName(SIGN_IN_COOKIE);

/** Starts a login flow for the console client and answers its first step. */
export async function startSignIn(userAgent: string | null, returnTo: string): Promise<Response> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const pending = {
    codeVerifier,
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  let secret: string;
  try {
    secret = clientSecret();
  } catch (error) {
    if (error instanceof ConsoleConfigError)
      return errorResponse(500, 'KW-50000', 'Console misconfigured.', error.message);
    throw error;
  }
  const response = await callApi(userAgent, '/oauth2/authorize', {
    method: 'POST',
    headers: {
      authorization: basicCredentials(CONSOLE_CLIENT_ID, secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      response_mode: 'direct',
      redirect_uri: redirectUri(),
      scope: 'openid',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString(),
  });
  if (response instanceof Response) return response;
  if (response.status !== 200) return authorizeRefused(response.status, response.body, response.retryAfter);
  const answer = FlowResponse.safeParse(response.body);
  if (!answer.success || !('flowId' in answer.data))
    return badGateway('The API answered the start of the sign-in with something other than a flow.', answer.error);

  const id = newId();
  const expiresAt = Date.now() + SIGN_IN_TTL_SECONDS * 1000;
  await pendingSignIns().set(storeKey(id), { ...pending, flowId: answer.data.flowId }, expiresAt);
  (await cookies()).set(signInCookieName(), id, cookieOptions(SIGN_IN_TTL_SECONDS));
  return settle(id, { ...pending, flowId: answer.data.flowId }, answer.data);
}

/** Relays the answer to the current step to `/oauth2/authn` and answers what comes next. */
export async function answerStep(userAgent: string | null, selected: SignInStepBody): Promise<Response> {
  const id = (await cookies()).get(signInCookieName())?.value;
  const pending = id ? await pendingSignIns().get(storeKey(id)) : undefined;
  if (!id || !pending)
    return errorResponse(
      400,
      'FLW-60001',
      'No sign-in in progress.',
      'This sign-in expired or was finished in another tab: start again.',
    );
  const body: AuthnRequest = { flowId: pending.flowId, selectedAuthenticator: selected };
  const response = await callApi(userAgent, '/oauth2/authn', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response instanceof Response) return response;
  if (response.status !== 200) {
    const error = ApiErrorBody.safeParse(response.body);
    if (!error.success) return badGateway(`The API answered a sign-in step with HTTP ${response.status}.`);
    // The flow is gone at the API (expired, finished): so is this sign-in.
    if (error.data.code === 'FLW-60001') await forget(id);
    return json(error.data, response.status, response.retryAfter ? { 'retry-after': response.retryAfter } : {});
  }
  const answer = FlowResponse.safeParse(response.body);
  if (!answer.success) return badGateway('The API answered a sign-in step with something other than a flow.');
  return settle(id, pending, answer.data);
}

/** What the browser is told about a flow's answer: the next step, the end of the flow, or a new session. */
async function settle(id: string, pending: PendingSignIn, answer: FlowAnswer): Promise<Response> {
  switch (answer.flowStatus) {
    case 'INCOMPLETE':
    case 'FAIL_INCOMPLETE':
      return state({ status: 'step', flowStatus: answer.flowStatus, nextStep: answer.nextStep });
    case 'FAIL_COMPLETED':
      await forget(id);
      return state({ status: 'failed', messages: answer.messages });
    case 'SUCCESS_COMPLETED': {
      // The code is spent here whatever happens next: this sign-in is over either way.
      await forget(id);
      let signedIn;
      try {
        signedIn = await exchangeCode({
          code: answer.authData.code,
          state: answer.authData.state,
          expectedState: pending.state,
          codeVerifier: pending.codeVerifier,
          nonce: pending.nonce,
        });
      } catch (error) {
        return badGateway('The sign-in succeeded, but its code could not be exchanged for tokens: try again.', error);
      }
      await startSession(signedIn.tokens, signedIn.subject);
      return state({ status: 'signed-in', returnTo: pending.returnTo });
    }
  }
}

function state(value: SignInState): Response {
  return json(value);
}

async function forget(id: string): Promise<void> {
  await pendingSignIns().delete(storeKey(id));
  await clearCookie(signInCookieName());
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they are joined and base64-encoded. */
function basicCredentials(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * A request to the system project's issuer, the browser's User-Agent passed on (the API records the device a
 * session signed in from, and mails about new ones). The browser's address is not passed on: see README.
 */
async function callApi(
  userAgent: string | null,
  path: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
): Promise<{ status: number; body: unknown; retryAfter: string | null } | Response> {
  const url = `${issuerUrl()}${path}`;
  try {
    const response = await fetch(url, {
      ...init,
      headers: { ...init.headers, accept: 'application/json', ...(userAgent ? { 'user-agent': userAgent } : {}) },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return badGateway(`The console's server could not reach the API at ${issuerUrl()}.`, error);
  }
}

/** `/oauth2/authorize` refused to start: an OAuth error, which the browser cannot act on unless it is a rate limit. */
function authorizeRefused(status: number, body: unknown, retryAfter: string | null): Response {
  const error = OAuthErrorBody.safeParse(body);
  if (status === 429 || status === 503) {
    const response = errorResponse(
      status,
      status === 429 ? 'KW-42900' : 'KW-50300',
      status === 429 ? 'Too many requests.' : 'Temporarily unavailable.',
      `Signing in is not possible right now${retryAfter ? `: try again in ${retryAfter} seconds` : ''}.`,
    );
    if (retryAfter) response.headers.set('retry-after', retryAfter);
    return response;
  }
  const detail = error.success ? `${error.data.error}: ${error.data.error_description ?? ''}` : `HTTP ${status}`;
  const hint =
    error.success && error.data.error === 'invalid_client'
      ? ' The console and the API must share the client secret (KEYWAY_CONSOLE_CLIENT_SECRET, or the same data dir).'
      : '';
  return badGateway(`The API refused to start a sign-in for the console (${detail}).${hint}`);
}
