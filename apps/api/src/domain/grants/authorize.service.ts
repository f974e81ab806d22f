import { Injectable } from '@nestjs/common';
import { matchesRegisteredRedirectUri, type Application } from '../applications/application';
import { ApplicationsService } from '../applications/applications.service';
import { OAuthError } from '../../infra/http/errors';
import type { AuthRequest } from '../flows/flow';
import { parseUiLocales } from '../email/mail-locale';
import type { Project } from '../projects/projects.service';
import type { ClientAuthenticationEndpoint } from './client-assertion.verifier';
import { ClientAuthenticator, readClientCredentials } from './client-authentication';
import { parseScope, SUPPORTED_SCOPES } from './scopes';
import type { AuthorizationRequestParams } from './authorization-request';

/** RFC 7636 §4.2: S256 challenges are base64url SHA-256 digests, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * What differs between the fronts that start a login flow from an authorization request; every other
 * check is shared.
 */
export interface AuthorizationFront {
  /**
   * app-native: required, the code is bound to it. First-Party Apps: optional (draft-ietf-oauth-first-party-apps
   * §6: no redirect happens, so the token request carries none); when sent it is checked and bound as usual.
   */
  redirectUri: 'required' | 'optional';
  /**
   * app-native: response_mode=direct is what asks for JSON instead of the (future) hosted pages. First-Party
   * Apps always answers JSON, so response_mode has no meaning there (draft §4.1 leaves it to us) and is ignored.
   */
  responseMode: 'direct' | 'ignored' | 'query';
  /**
   * Hosted pages: an ordinary browser front. Any client may use it (app-native access is not needed), and
   * confidential clients authenticate at the token endpoint (RFC 6749 §4.1.3), as a browser holds no secret.
   */
  browser?: true;
  /**
   * An app-native self-service flow started without an authorization request (no redirect_uri): when it
   * succeeds the app is signed in at once with a token response, so no code leaves the server and there is
   * nothing for PKCE to bind. The client must still be an app-native client allowed the code grant, and a
   * confidential one authenticates.
   */
  session?: true;
  /** Hosted login: `response_mode=form_post` (OAuth 2.0 Form Post Response Mode) as well as `query`. */
  formPost?: true;
  /**
   * The endpoint a private_key_jwt assertion's `aud` may name besides the issuer: `authorize` unless set. (The
   * self-service JSON starts share APP_NATIVE_FRONT, but their bodies carry no assertion: only Basic reaches them.)
   */
  clientAuthenticationEndpoint?: ClientAuthenticationEndpoint;
}

export const APP_NATIVE_FRONT: AuthorizationFront = { redirectUri: 'required', responseMode: 'direct' };
export const FIRST_PARTY_FRONT: AuthorizationFront = {
  redirectUri: 'optional',
  responseMode: 'ignored',
  clientAuthenticationEndpoint: 'authorize-challenge',
};
/**
 * Hosted self-service pages ({issuer}/ui/…): with a redirect_uri, an ordinary authorization code request
 * (registered redirect_uri, PKCE, scope) answered by a redirect with `code`, `state` and `iss`. Without one,
 * the flow issues nothing and ends on a "done" page, so there is no code for PKCE or scope to protect.
 */
export const HOSTED_FRONT: AuthorizationFront = { redirectUri: 'optional', responseMode: 'query', browser: true };
/**
 * Hosted login (a browser at `/oauth2/authorize` without response_mode=direct): an ordinary authorization code
 * request of any client, answered by a redirect (or a form post) with `code`, `state` and `iss`.
 */
export const HOSTED_LOGIN_FRONT: AuthorizationFront = {
  redirectUri: 'required',
  responseMode: 'query',
  browser: true,
  formPost: true,
};
/** Native registration without OAuth params: see AuthorizationFront.session. */
export const APP_NATIVE_SESSION_FRONT: AuthorizationFront = {
  redirectUri: 'optional',
  responseMode: 'ignored',
  session: true,
};

/** A validated authorization request, ready to start a flow. */
export interface ValidatedAuthorization {
  application: Application;
  authRequest: AuthRequest;
}

/**
 * The authorization endpoint as a pipeline of checks, each named after the rule it enforces. Both direct
 * fronts (app-native /authorize with response_mode=direct, First-Party Apps /authorize-challenge) run it;
 * every error is answered as JSON and nothing is ever redirected.
 */
@Injectable()
export class AuthorizeService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly clientAuthenticator: ClientAuthenticator,
  ) {}

  async validate(
    project: Project,
    params: AuthorizationRequestParams,
    authorization: string | undefined,
    front: AuthorizationFront,
  ): Promise<ValidatedAuthorization> {
    const application = await this.checkClient(project, params);
    const redirectUri = checkRedirectUri(application, params.redirect_uri, front);
    checkResponseType(application, params.response_type);
    if (front.responseMode === 'direct') checkResponseMode(params.response_mode);
    if (front.responseMode === 'query') checkQueryResponseMode(params.response_mode, front.formPost === true);
    if (front.browser && redirectUri === undefined)
      return {
        application,
        authRequest: {
          clientId: application.clientId,
          scope: '',
          responseMode: 'query',
          ...uiLocalesOf(params.ui_locales),
        },
      };
    if (!front.browser) checkAppNative(application);
    if (application.type === 'confidential' && !front.browser)
      await this.checkClientAuthentication(project, params, authorization, front);
    if (front.session) {
      if (redirectUri !== undefined || params.code_challenge !== undefined)
        throw new OAuthError(
          'invalid_request',
          'a session start takes no redirect_uri or code_challenge: send a full authorization request to get a code instead',
        );
      const scope = checkScope(params.scope ?? 'openid');
      return {
        application,
        authRequest: {
          clientId: application.clientId,
          scope,
          responseMode: 'session',
          ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
          ...uiLocalesOf(params.ui_locales),
        },
      };
    }
    const pkce = checkPkce(application, params);
    const scope = checkScope(params.scope);

    const authRequest: AuthRequest = {
      clientId: application.clientId,
      ...(redirectUri !== undefined ? { redirectUri } : {}),
      scope,
      ...(params.state !== undefined ? { state: params.state } : {}),
      ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
      ...pkce,
      ...(front.responseMode === 'query' ? { responseMode: 'query' as const } : {}),
      ...(front.formPost && params.response_mode === 'form_post' ? { formPost: true } : {}),
      ...uiLocalesOf(params.ui_locales),
    };
    return { application, authRequest };
  }

  private async checkClient(project: Project, params: AuthorizationRequestParams): Promise<Application> {
    if (!params.client_id) throw new OAuthError('invalid_request', 'client_id is required');
    const application = await this.applications.findByClientId(project.id, params.client_id);
    if (!application) throw new OAuthError('invalid_client', 'unknown client_id', 400);
    return application;
  }

  /** Confidential clients prove themselves before any credential is collected in their name. */
  private async checkClientAuthentication(
    project: Project,
    params: AuthorizationRequestParams,
    authorization: string | undefined,
    front: AuthorizationFront,
  ): Promise<void> {
    const credentials = readClientCredentials(authorization, params);
    if (credentials.method === 'none')
      throw new OAuthError('invalid_client', 'confidential clients must authenticate to start a login flow');
    await this.clientAuthenticator.authenticate(
      project,
      credentials,
      front.clientAuthenticationEndpoint ?? 'authorize',
    );
  }
}

function checkRedirectUri(
  application: Application,
  redirectUri: string | undefined,
  front: AuthorizationFront,
): string | undefined {
  if (redirectUri === undefined && front.redirectUri === 'optional') return undefined;
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
  if (!matchesRegisteredRedirectUri(redirectUri, application.redirectUris)) {
    throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client');
  }
  return redirectUri;
}

function checkResponseType(application: Application, responseType: string | undefined): void {
  if (!responseType) throw new OAuthError('invalid_request', 'response_type is required');
  if (responseType !== 'code')
    throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
  if (!application.grantTypes.includes('authorization_code')) {
    throw new OAuthError('unauthorized_client', 'this client may not use the authorization code grant');
  }
}

function checkResponseMode(responseMode: string | undefined): void {
  if (responseMode !== 'direct') {
    throw new OAuthError(
      'invalid_request',
      "response_mode must be 'direct' (app-native authentication) at this endpoint",
    );
  }
}

/** The hosted pages answer with a redirect carrying the code in the query; no other mode is offered there. */
function checkQueryResponseMode(responseMode: string | undefined, formPost: boolean): void {
  if (responseMode === undefined || responseMode === 'query' || (formPost && responseMode === 'form_post')) return;
  throw new OAuthError(
    'invalid_request',
    formPost
      ? "response_mode must be 'query', 'form_post' or 'direct' (app-native authentication)"
      : "response_mode must be 'query' (or absent) on the hosted pages",
  );
}

function checkAppNative(application: Application): void {
  if (!application.appNative)
    throw new OAuthError('unauthorized_client', 'app-native authentication is not enabled for this client');
}

/** PKCE S256 is required for public clients, optional for confidential ones; `plain` is never accepted. */
function checkPkce(
  application: Application,
  params: AuthorizationRequestParams,
): Pick<AuthRequest, 'codeChallenge' | 'codeChallengeMethod'> {
  const { code_challenge: challenge, code_challenge_method: method } = params;
  if (challenge === undefined) {
    if (method !== undefined) throw new OAuthError('invalid_request', 'code_challenge_method without code_challenge');
    if (application.type === 'public')
      throw new OAuthError('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
    return {};
  }
  if (method !== 'S256')
    throw new OAuthError('invalid_request', 'code_challenge_method must be S256 (plain is not allowed)');
  if (!S256_CHALLENGE.test(challenge))
    throw new OAuthError('invalid_request', 'code_challenge must be a base64url SHA-256 digest (43 characters)');
  return { codeChallenge: challenge, codeChallengeMethod: 'S256' };
}

/** ui_locales is a preference, never an error: unusable tags are dropped (see parseUiLocales). */
function uiLocalesOf(value: string | undefined): Pick<AuthRequest, 'uiLocales'> {
  const uiLocales = parseUiLocales(value);
  return uiLocales ? { uiLocales } : {};
}

function checkScope(scope: string | undefined): string {
  const scopes = parseScope(scope ?? '');
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'scope is required');
  const unknown = scopes.filter((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new OAuthError('invalid_scope', `unsupported scope: ${unknown.join(' ')}`);
  return scopes.join(' ');
}
