import { Inject, Injectable } from '@nestjs/common';
import { AuthnRequest, type AuthenticatorOption, type FlowSuccessResponse, type NextStep } from '@keyway/flow-types';
import type { RequestContext } from '../../infra/http/request-context';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { describeIssues } from '../../infra/validation/zod-issues';
import { errorRedirectUri, parseAuthorizationParams, queryOf, reparsedQuery, withQuery } from './authorization-params';
import { ApiError, ErrorCodes, OAuthError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { ApplicationsService } from '../../domain/applications/applications.service';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import { AuthorizeService, HOSTED_LOGIN_FRONT } from '../../domain/grants/authorize.service';
import { parseMaxAge, parsePrompt } from '../../domain/grants/prompt';
import type { AuthRequest } from '../../domain/flows/flow';
import { FlowStore } from '../../domain/flows/flow.store';
import type { Project } from '../../domain/projects/projects.service';
import { SsoKeys } from '../../domain/sessions/sso-keys';
import { FlowEngine, type FlowOutcome } from '../../flows/engine/flow-engine.service';
import { SingleSignOn } from '../../flows/sso/single-sign-on.service';
import { CONTROL_FIELDS, isOneTimeCode, type Link } from './flow-page.renderer';
import { formTargetOf, type HostedAnswer } from './hosted-answer';
import { HostedPages } from './hosted-pages';
import { formPostPage } from './page-templates';
import { pageLanguage, pageTexts, type PageLanguage } from './page-texts';
import { PASSKEY_SCRIPT_PATH, WEBAUTHN_LIBRARY_PATH } from './hosted-assets.controller';
import { ConnectionOptionsSource } from '../../methods/federation/connection-options.source';
import { FederationMessages } from '../../methods/federation/federation-messages';
import { decodeAuthenticatorId } from '@keyway/flow-types';

const HOSTED = { hosted: true } as const;
const PASSKEY_I18N_KEY = 'authenticator.Fido';

/** The authorization request params kept for "start again": the same request once more. */
const RESTART_PARAMS = [
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'response_mode',
  'code_challenge',
  'code_challenge_method',
  'ui_locales',
  'login_hint',
  'max_age',
  'acr_values',
] as const;

/** Who is asking: the browser's cookies and languages, and the request's device (stored with a new session). */
export interface BrowserRequest {
  cookie: string | undefined;
  acceptLanguage: string | undefined;
  client: RequestContext;
}

interface StepPresentation {
  csrfToken: string;
  setCookie?: string | undefined;
  restartQuery: string;
  lang: PageLanguage;
  values?: Record<string, string>;
}

/**
 * Hosted login: a browser at `{issuer}/oauth2/authorize` (no response_mode=direct). The same engine as the
 * app-native API; its steps are rendered as pages (FlowPageRenderer) whose forms post the same AuthnRequest
 * to `{issuer}/ui/login`. A live SSO session (cookie) answers at once unless the request or the app's flow asks
 * for a new login; a finished login sets that cookie. The code goes back by a 303 (or a form post) with
 * `code`, `state` and `iss` (RFC 9207); errors after the client and redirect_uri are known go back the same way.
 */
@Injectable()
export class HostedLoginService {
  private readonly assetsBase: string;

  constructor(
    private readonly pages: HostedPages,
    private readonly authorization: AuthorizeService,
    private readonly engine: FlowEngine,
    private readonly sso: SingleSignOn,
    private readonly ssoKeys: SsoKeys,
    private readonly response: AuthorizationResponseService,
    private readonly flows: FlowStore,
    private readonly applications: ApplicationsService,
    private readonly connectionOptions: ConnectionOptionsSource,
    @Inject(KEYWAY_CONFIG) config: KeywayConfig,
  ) {
    this.assetsBase = config.publicUrl;
  }

  /** `GET|POST /oauth2/authorize`: validate, then answer from the SSO session or start the login flow. */
  async authorize(project: Project, input: unknown, browser: BrowserRequest): Promise<HostedAnswer> {
    const parsed = parseAuthorizationParams(input);
    const lang = pageLanguage(undefined, browser.acceptLanguage);
    if (!parsed.ok) return this.pages.errorPage(project, 400, parsed.description, undefined, lang);
    const params = parsed.params;
    let prompt: ReturnType<typeof parsePrompt>;
    let maxAge: number | undefined;
    let validated: Awaited<ReturnType<AuthorizeService['validate']>>;
    try {
      validated = await this.authorization.validate(project, params, undefined, HOSTED_LOGIN_FRONT);
      prompt = parsePrompt(params.prompt);
      maxAge = parseMaxAge(params.max_age);
    } catch (error) {
      if (error instanceof OAuthError) return this.refuse(project, params, error, lang);
      throw error;
    }
    const { application, authRequest } = validated;
    const pageLang = pageLanguage(authRequest.uiLocales, browser.acceptLanguage);
    const restartQuery = queryOf(params, RESTART_PARAMS);
    // Initiating User Registration 1.0: the hosted registration, which answers the same request with a code.
    if (prompt.has('create'))
      return {
        kind: 'redirect',
        location: `${project.issuer}/ui/registration?${queryOf(params, REGISTRATION_PARAMS)}`,
      };

    const decision = await this.sso.decide(project, application, {
      cookieKey: this.pages.ssoCookie.read(project, browser.cookie),
      prompt,
      maxAge,
      idTokenHint: params.id_token_hint,
    });
    if (decision.kind === 'reuse') {
      const authData = await this.response.issueInSession(project, application.id, authRequest, decision.session);
      if (authData) return this.success(project, authRequest, authData);
    }
    if (prompt.has('none')) {
      const error = decision.kind === 'login' ? decision.error : 'login_required';
      return this.errorToClient(project, authRequest, error, 'the user must sign in', pageLang);
    }
    const csrf = this.pages.csrf.forPage(browser.cookie);
    const outcome = await this.engine.start(project, application, authRequest);
    return this.present(project, outcome, browser, {
      csrfToken: csrf.token,
      setCookie: csrf.setCookie,
      restartQuery,
      lang: pageLang,
      values: params.login_hint ? { username: params.login_hint } : {},
    });
  }

  /** `POST /ui/login`: a step's form, translated into the AuthnRequest the app-native API takes. */
  async answer(project: Project, body: unknown, contentType: string | undefined, browser: BrowserRequest) {
    const lang = pageLanguage(undefined, browser.acceptLanguage);
    const form = this.pages.readForm(project, body, contentType, browser.cookie, lang);
    if (!form.ok) return form.answer;
    const { fields } = form;
    const restartQuery = reparsedQuery(fields[CONTROL_FIELDS.restart], RESTART_PARAMS);
    const params = Object.fromEntries(
      Object.entries(fields).filter(([name]) => !Object.values<string>(CONTROL_FIELDS).includes(name)),
    );
    const request = AuthnRequest.safeParse({
      flowId: fields[CONTROL_FIELDS.flowId],
      selectedAuthenticator: { authenticatorId: fields[CONTROL_FIELDS.authenticatorId], params },
    });
    const restart = this.restartLink(project, restartQuery, lang);
    if (!request.success) return this.pages.errorPage(project, 400, describeIssues(request.error), restart, lang);
    const flow = isUuid(request.data.flowId)
      ? await this.flows.findActive(request.data.flowId, 'AUTHENTICATION')
      : undefined;
    const pageLang = pageLanguage(flow?.authRequest.uiLocales, browser.acceptLanguage);
    const presentation: StepPresentation = {
      csrfToken: fields[CONTROL_FIELDS.csrf] ?? '',
      restartQuery: restartQuery ?? '',
      lang: pageLang,
      values: Object.fromEntries(Object.entries(params).filter(([param]) => !isOneTimeCode({ param }))),
    };
    try {
      const outcome = await this.engine.advance(project, request.data, 'AUTHENTICATION', HOSTED);
      return await this.present(project, outcome, browser, presentation);
    } catch (error) {
      // A param left out (FLW-60003): the same step again, nothing counted.
      if (error instanceof ApiError && error.code === ErrorCodes.FLOW_MISSING_PARAMS) {
        const outcome = await this.engine
          .describe(project, request.data.flowId, 'AUTHENTICATION', HOSTED)
          .catch(() => undefined);
        if (outcome && 'nextStep' in outcome) {
          const messages = [
            {
              type: 'ERROR' as const,
              messageId: error.code,
              message: error.description,
              i18nKey: 'message.missing_params',
            },
          ];
          return this.present(
            project,
            { ...outcome, nextStep: { ...outcome.nextStep, messages } },
            browser,
            presentation,
          );
        }
      }
      return this.pages.errorAnswer(project, error, restart, pageLang);
    }
  }

  private async present(
    project: Project,
    outcome: FlowOutcome,
    browser: BrowserRequest,
    context: StepPresentation,
  ): Promise<HostedAnswer> {
    const restart = this.restartLink(project, context.restartQuery, context.lang);
    const { authRequest } = outcome.flow;
    if (outcome.status === 'SUCCESS_COMPLETED') {
      const { authData, sessionId } = await this.response.signIn(project, outcome.flow, browser.client);
      const cookie = this.pages.ssoCookie.set(project, this.ssoKeys.keyOf(project.id, sessionId));
      return { ...this.success(project, authRequest, authData), setCookie: cookie };
    }
    if (outcome.status === 'FAIL_COMPLETED')
      return this.pages.failedPage(project, outcome.messages, restart, context.lang);
    // A provider's sign-in picked (or the step's only option): the browser goes to the provider, bound by cookie.
    const redirection = redirectionOf(outcome.nextStep);
    if (redirection)
      return {
        kind: 'redirect',
        location: redirection.redirectUrl,
        setCookie: [
          ...(context.setCookie ? [context.setCookie] : []),
          this.pages.federationCookie.set(project, redirection.state),
        ],
      };
    const nextStep = await this.withPasskeyChallenge(project, outcome.flow.id, outcome.nextStep);
    const passkey = nextStep.authenticators.some(
      (option) => option.metadata.i18nKey === PASSKEY_I18N_KEY && option.metadata.additionalData?.['challengeData'],
    );
    const html = this.pages.renderer.step(
      { flowId: outcome.flow.id, nextStep },
      {
        projectName: project.name,
        action: `${project.issuer}/ui/login`,
        csrfToken: context.csrfToken,
        hidden: { [CONTROL_FIELDS.restart]: context.restartQuery },
        values: context.values ?? {},
        purpose: 'login',
        lang: context.lang,
        branding: project.settings.branding,
        links: this.links(project, authRequest, context.lang),
        qrCodes: await qrCodes(nextStep),
        ...(passkey
          ? { scripts: [`${this.assetsBase}${WEBAUTHN_LIBRARY_PATH}`, `${this.assetsBase}${PASSKEY_SCRIPT_PATH}`] }
          : {}),
      },
    );
    const target = formTargetOf(authRequest.redirectUri);
    return {
      kind: 'page',
      status: 200,
      html,
      setCookie: context.setCookie,
      formTargets: [...(target ? [target] : []), ...(await this.providerOrigins(project, authRequest, nextStep))],
    };
  }

  /**
   * Where a form of this page may lead through the 303 that answers it: the providers of the connection options
   * it shows (CSP form-action applies to the redirects after a submission too).
   */
  private async providerOrigins(project: Project, authRequest: AuthRequest, step: NextStep): Promise<string[]> {
    if (step.authenticators.every((option) => option.idp === 'LOCAL')) return [];
    const application = await this.applications.findByClientId(project.id, authRequest.clientId);
    return application ? this.connectionOptions.redirectOrigins(project, application) : [];
  }

  /**
   * `GET|POST /ui/federation/callback`: a provider sends the browser back with a code (or an error). The state
   * names the flow and the option, and must be the one this browser was sent away with (the federation cookie);
   * the code then answers the option like the app-native API's `params {code, state}`.
   */
  async federationCallback(project: Project, input: unknown, browser: BrowserRequest): Promise<HostedAnswer> {
    const lang = pageLanguage(undefined, browser.acceptLanguage);
    const answer = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const text = (name: string) => (typeof answer[name] === 'string' ? (answer[name] as string) : undefined);
    const state = text('state') ?? '';
    const [flowId = '', authenticatorId = ''] = state.split('.');
    const texts = pageTexts(lang);
    if (!this.pages.federationCookie.matches(project, browser.cookie, state) || !isUuid(flowId))
      return this.pages.errorPage(project, 400, texts.federationAnswerUnknown, undefined, lang);
    const clear = this.pages.federationCookie.clear(project);
    const flow = await this.flows.findActive(flowId, 'AUTHENTICATION');
    const pageLang = pageLanguage(flow?.authRequest.uiLocales, browser.acceptLanguage);
    const restartQuery = flow ? queryOf(restartParamsOf(flow.authRequest), RESTART_PARAMS) : '';
    const restart = this.restartLink(project, restartQuery, pageLang);
    const provider = decodeAuthenticatorId(authenticatorId)?.idp ?? '';
    const code = text('code');
    if (!code) {
      // The user cancelled at the provider (or it refused): said here; the flow's other options are a restart away.
      const page = await this.pages.failedPage(project, [FederationMessages.cancelled(provider)], restart, pageLang);
      return { ...page, setCookie: clear };
    }
    const csrf = this.pages.csrf.forPage(browser.cookie);
    const presentation: StepPresentation = {
      csrfToken: csrf.token,
      setCookie: csrf.setCookie,
      restartQuery,
      lang: pageLang,
    };
    try {
      const outcome = await this.engine.advance(
        project,
        { flowId, selectedAuthenticator: { authenticatorId, params: { code, state } } },
        'AUTHENTICATION',
        HOSTED,
      );
      const page = await this.present(project, outcome, browser, presentation);
      return { ...page, setCookie: [clear, ...cookiesOf(page.setCookie)] };
    } catch (error) {
      return { ...(await this.pages.errorAnswer(project, error, restart, pageLang)), setCookie: clear };
    }
  }

  /**
   * A passkey offered beside other options gets its challenge now, so the browser can offer passkeys in the
   * username field (conditional mediation) and the passkey button needs no extra round trip.
   */
  private async withPasskeyChallenge(project: Project, flowId: string, step: NextStep): Promise<NextStep> {
    if (step.stepType !== 'MULTI_OPTIONS_PROMPT') return step;
    const index = step.authenticators.findIndex(
      (option) => option.metadata.i18nKey === PASSKEY_I18N_KEY && option.metadata.promptType === undefined,
    );
    const offered = step.authenticators[index];
    if (!offered) return step;
    const prepared = await this.engine.prepareOption(project, flowId, offered.authenticatorId, HOSTED);
    if (!prepared) return step;
    const authenticators = [...step.authenticators];
    authenticators[index] = prepared;
    return { ...step, authenticators };
  }

  /** The code to the app: a 303 with the params in the query, or an auto-submitted form (form_post). */
  private success(project: Project, authRequest: AuthRequest, authData: FlowSuccessResponse['authData']): HostedAnswer {
    const params: Record<string, string> = {
      code: authData.code,
      ...(authData.state !== undefined ? { state: authData.state } : {}),
      ...(authData.session_state ? { session_state: authData.session_state } : {}),
      iss: project.issuer,
    };
    return this.toClient(project, authRequest, params, 'en');
  }

  private errorToClient(
    project: Project,
    authRequest: AuthRequest,
    error: string,
    description: string,
    lang: PageLanguage,
  ): HostedAnswer {
    return this.toClient(
      project,
      authRequest,
      {
        error,
        error_description: description,
        ...(authRequest.state !== undefined ? { state: authRequest.state } : {}),
        iss: project.issuer,
      },
      lang,
    );
  }

  private toClient(
    project: Project,
    authRequest: AuthRequest,
    params: Record<string, string>,
    lang: PageLanguage,
  ): HostedAnswer {
    const redirectUri = authRequest.redirectUri as string;
    if (authRequest.formPost) {
      const target = formTargetOf(redirectUri);
      const texts = pageTexts(lang);
      return {
        kind: 'page',
        status: 200,
        html: formPostPage({
          action: redirectUri,
          params,
          title: texts.formPostTitle,
          submit: texts.formPostContinue,
          lang,
        }),
        formTargets: target ? [target] : [],
      };
    }
    return { kind: 'redirect', location: withQuery(redirectUri, params) };
  }

  /**
   * RFC 6749 §4.1.2.1: until the client and its redirect_uri are known good, the user is told on our page and
   * never sent anywhere; after that, the error goes back to the app with state and iss.
   */
  private async refuse(
    project: Project,
    params: AuthorizationRequestParams,
    error: OAuthError,
    lang: PageLanguage,
  ): Promise<HostedAnswer> {
    const target = await errorRedirectUri(this.applications, project, params);
    if (target) {
      const authRequest: AuthRequest = {
        clientId: target.clientId,
        redirectUri: target.redirectUri,
        scope: '',
        ...(params.state !== undefined ? { state: params.state } : {}),
        ...(params.response_mode === 'form_post' ? { formPost: true } : {}),
      };
      return this.errorToClient(project, authRequest, error.error, error.description, lang);
    }
    return this.pages.errorPage(project, 400, error.description, undefined, lang);
  }

  private links(project: Project, authRequest: AuthRequest, lang: PageLanguage): Link[] {
    const texts = pageTexts(lang);
    const query = new URLSearchParams({ client_id: authRequest.clientId });
    return [
      { href: `${project.issuer}/ui/registration?${query.toString()}`, label: texts.createAccount },
      { href: `${project.issuer}/ui/recovery?${query.toString()}`, label: texts.forgotPassword },
    ];
  }

  private restartLink(project: Project, restartQuery: string | undefined, lang: PageLanguage): Link | undefined {
    if (!restartQuery) return undefined;
    return { href: `${project.issuer}/oauth2/authorize?${restartQuery}`, label: pageTexts(lang).startAgain };
  }
}

/** The single option of a step that sends the browser to a provider (REDIRECTION_PROMPT), if that is the step. */
function redirectionOf(step: NextStep): { redirectUrl: string; state: string } | undefined {
  const [only, ...others] = step.authenticators;
  const data = only?.metadata.additionalData;
  if (others.length > 0 || only?.metadata.promptType !== 'REDIRECTION_PROMPT' || !data) return undefined;
  const { redirectUrl, state } = data;
  return redirectUrl && state ? { redirectUrl, state } : undefined;
}

function cookiesOf(setCookie: string | string[] | undefined): string[] {
  return setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
}

/** The authorization request a flow answers, as the query that starts it again. */
function restartParamsOf(authRequest: AuthRequest): AuthorizationRequestParams {
  return {
    client_id: authRequest.clientId,
    response_type: 'code',
    redirect_uri: authRequest.redirectUri,
    scope: authRequest.scope,
    state: authRequest.state,
    nonce: authRequest.nonce,
    code_challenge: authRequest.codeChallenge,
    code_challenge_method: authRequest.codeChallengeMethod,
    ...(authRequest.formPost ? { response_mode: 'form_post' } : {}),
  } as AuthorizationRequestParams;
}

/** The params the hosted registration takes (prompt=create hands the request over). */
const REGISTRATION_PARAMS = RESTART_PARAMS.filter((name) => !['login_hint', 'max_age', 'acr_values'].includes(name));

/**
 * QR codes (inline SVG, made here: no third party sees the secret) of the step's TOTP enrollments. qrcode is loaded by
 * the first enrollment shown, not at start-up.
 */
async function qrCodes(step: NextStep): Promise<Record<string, string>> {
  const enrollments = step.authenticators.filter(
    (option: AuthenticatorOption) => option.metadata.additionalData?.['otpauthUri'],
  );
  if (enrollments.length === 0) return {};
  const { default: QRCode } = await import('qrcode');
  const entries = await Promise.all(
    enrollments.map(async (option) => [
      option.authenticatorId,
      await QRCode.toString(option.metadata.additionalData?.['otpauthUri'] as string, { type: 'svg', margin: 1 }),
    ]),
  );
  return Object.fromEntries(entries);
}
