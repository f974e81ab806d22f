import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../infra/http/request-context';
import {
  AuthnRequest,
  type AuthenticatorOption,
  type FlowMessage,
  type FlowResponse,
  type SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { isUuid } from '../../infra/http/ids';
import { describeIssues } from '../../infra/validation/zod-issues';
import { ApiError, ErrorCodes, OAuthError, type FieldError } from '../../infra/http/errors';
import { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { HOSTED_FRONT } from '../../domain/grants/authorize.service';
import type { Project } from '../../domain/projects/projects.service';
import { RecoveryService } from '../../flows/recovery/recovery.service';
import {
  RECOVERY_CODE_ID,
  RECOVERY_EMAIL_ID,
  recoveryCodeOption,
  recoveryEmailOption,
} from '../../methods/email-code/email-code-recovery';
import { PASSWORD_RESET_ID, passwordResetOption } from '../../methods/password/password-reset';
import { stepResponse } from '../../flows/self-service/self-service-responses';
import { RegistrationService } from '../../flows/registration/registration.service';
import { codeOption as registrationCodeOption, EMAIL_CODE_ID } from '../../methods/email-code/email-code-verification';
import { FlowStore } from '../../domain/flows/flow.store';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import { SsoKeys } from '../../domain/sessions/sso-keys';
import { errorRedirectUri, parseAuthorizationParams, queryOf, reparsedQuery, withQuery } from './authorization-params';
import { CONTROL_FIELDS, type Link } from './flow-page.renderer';
import { formTargetOf, type HostedAnswer } from './hosted-answer';
import { HostedPages } from './hosted-pages';

export type HostedOAuthFlowType = 'REGISTRATION' | 'RECOVERY';

const PAGE: Record<
  HostedOAuthFlowType,
  { path: string; restart: string; done: { title: string; paragraphs: string[] } }
> = {
  REGISTRATION: {
    path: 'registration',
    restart: 'Start again',
    done: {
      title: 'Your account is ready',
      paragraphs: ['Your email address is verified and your account is ready. You can close this page and sign in.'],
    },
  },
  RECOVERY: {
    path: 'recovery',
    restart: 'Start again',
    done: {
      title: 'Your password was changed',
      paragraphs: [
        'Every other session of your account was signed out. You can close this page and sign in with your new password.',
      ],
    },
  },
};

/**
 * The steps whose form is the same for every flow, by authenticatorId: a refused param (an empty code
 * field, FLW-60003) shows the form again with the field marked, rather than an error page.
 */
const FIXED_STEPS: Record<string, () => AuthenticatorOption> = {
  [EMAIL_CODE_ID]: registrationCodeOption,
  [RECOVERY_EMAIL_ID]: recoveryEmailOption,
  [RECOVERY_CODE_ID]: recoveryCodeOption,
  [PASSWORD_RESET_ID]: passwordResetOption,
};
const PARAMS_PATH = 'selectedAuthenticator.params.';

/** The authorization request params a hosted page accepts in its query (and keeps for "start again"). */
const START_PARAMS = [
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
] as const;

interface Presentation {
  csrfToken: string;
  setCookie?: string | undefined;
  redirectUri?: string | undefined;
  restartQuery?: string | undefined;
  values?: Record<string, string>;
}

/**
 * Hosted registration and recovery ({issuer}/ui/registration, /ui/recovery): HTML in front of the same
 * RegistrationService / RecoveryService as the JSON API. A GET with an ordinary authorization request starts
 * a flow (HOSTED_FRONT); each form post is translated into the AuthnRequest the native app would send; the
 * FlowResponse is rendered, and SUCCESS_COMPLETED becomes a 303 to redirect_uri with code, state and iss.
 */
@Injectable()
export class HostedOAuthFlowsService {
  constructor(
    private readonly pages: HostedPages,
    private readonly registration: RegistrationService,
    private readonly recovery: RecoveryService,
    private readonly flows: FlowStore,
    private readonly applications: ApplicationsService,
    private readonly authorizationResponse: AuthorizationResponseService,
    private readonly ssoKeys: SsoKeys,
  ) {}

  async start(
    type: HostedOAuthFlowType,
    project: Project,
    query: unknown,
    cookieHeader: string | undefined,
  ): Promise<HostedAnswer> {
    const resumed = resumedFlowId(query);
    if (type === 'RECOVERY' && resumed !== undefined) return this.resume(type, project, resumed, cookieHeader);
    const parsed = parseAuthorizationParams(query);
    if (!parsed.ok) return this.pages.errorPage(project, 400, parsed.description);
    const params = parsed.params;
    const csrf = this.pages.csrf.forPage(cookieHeader);
    try {
      const service = type === 'REGISTRATION' ? this.registration : this.recovery;
      const response = await service.start(project, params, undefined, HOSTED_FRONT);
      return this.present(type, project, response, {
        csrfToken: csrf.token,
        setCookie: csrf.setCookie,
        redirectUri: params.redirect_uri,
        restartQuery: startQuery(params),
      });
    } catch (error) {
      if (error instanceof OAuthError) return this.refuseStart(project, params, error);
      return this.pages.errorAnswer(project, error);
    }
  }

  /**
   * `?flow=<id>` alone: a flow started for the user rather than by this page, shown at its current step (recovery
   * sent by an administrator: its mail links here, and the page asks for the mailed code). Unknown, finished and
   * expired flows, and those of the JSON fronts, get the same error page.
   */
  private async resume(
    type: HostedOAuthFlowType,
    project: Project,
    flowId: string,
    cookieHeader: string | undefined,
  ): Promise<HostedAnswer> {
    const csrf = this.pages.csrf.forPage(cookieHeader);
    try {
      const redirectUri = await this.redirectUriOf(type, project, flowId);
      const response = await this.recovery.describe(project, flowId, HOSTED_FRONT);
      return this.present(type, project, response, { csrfToken: csrf.token, setCookie: csrf.setCookie, redirectUri });
    } catch (error) {
      return this.pages.errorAnswer(project, error);
    }
  }

  async answer(
    type: HostedOAuthFlowType,
    project: Project,
    body: unknown,
    contentType: string | undefined,
    cookieHeader: string | undefined,
    client?: RequestContext,
  ): Promise<HostedAnswer> {
    const form = this.pages.readForm(project, body, contentType, cookieHeader);
    if (!form.ok) return form.answer;
    const { fields } = form;
    const restartQuery = reparsedQuery(fields[CONTROL_FIELDS.restart], START_PARAMS);
    const restart = this.restartLink(type, project, restartQuery);
    const params = Object.fromEntries(
      Object.entries(fields).filter(([name]) => !Object.values<string>(CONTROL_FIELDS).includes(name)),
    );
    const request = AuthnRequest.safeParse({
      flowId: fields[CONTROL_FIELDS.flowId],
      selectedAuthenticator: { authenticatorId: fields[CONTROL_FIELDS.authenticatorId], params },
    });
    if (!request.success) return this.pages.errorPage(project, 400, describeIssues(request.error), restart);
    const { flowId, selectedAuthenticator } = request.data;
    let redirectUri: string | undefined;
    try {
      // Read before the answer: a finished flow no longer says where its code goes.
      redirectUri = await this.redirectUriOf(type, project, flowId);
      const service = type === 'REGISTRATION' ? this.registration : this.recovery;
      const response = await service.advance(project, request.data, HOSTED_FRONT, client);
      const values = 'nextStep' in response && response.flowStatus === 'FAIL_INCOMPLETE' ? refill(params) : {};
      return this.present(type, project, response, {
        csrfToken: fields[CONTROL_FIELDS.csrf] ?? '',
        redirectUri,
        restartQuery,
        values,
      });
    } catch (error) {
      // Nothing was counted or changed: the same form again, each refused field marked beside its input.
      const option = FIXED_STEPS[selectedAuthenticator.authenticatorId];
      if (
        option &&
        error instanceof ApiError &&
        error.code === ErrorCodes.FLOW_MISSING_PARAMS &&
        error.fields?.length
      ) {
        const again = stepResponse(project, type, flowId, 'FAIL_INCOMPLETE', option(), error.fields.map(paramMessage));
        return this.present(type, project, again, {
          csrfToken: fields[CONTROL_FIELDS.csrf] ?? '',
          redirectUri,
          restartQuery,
          values: refill(params),
        });
      }
      return this.pages.errorAnswer(project, error, restart);
    }
  }

  private async present(
    type: HostedOAuthFlowType,
    project: Project,
    response: FlowResponse | SelfServiceCompletedResponse,
    context: Presentation,
  ): Promise<HostedAnswer> {
    const restart = this.restartLink(type, project, context.restartQuery);
    if ('nextStep' in response) {
      const html = this.pages.renderer.step(response, {
        projectName: project.name,
        action: `${project.issuer}/ui/${PAGE[type].path}`,
        csrfToken: context.csrfToken,
        hidden: context.restartQuery ? { [CONTROL_FIELDS.restart]: context.restartQuery } : {},
        values: context.values ?? {},
      });
      const target = formTargetOf(context.redirectUri);
      return { kind: 'page', status: 200, html, setCookie: context.setCookie, formTargets: target ? [target] : [] };
    }
    if (response.flowStatus === 'FAIL_COMPLETED') return this.pages.failedPage(project, response.messages, restart);
    if ('authData' in response && context.redirectUri) {
      const { code, state, session_state: sessionState } = response.authData;
      // Registered or recovered in this browser: it is signed in, as after a hosted login (the SSO cookie).
      const sessionId = await this.authorizationResponse.sessionOfCode(code);
      return {
        kind: 'redirect',
        ...(sessionId
          ? { setCookie: this.pages.ssoCookie.set(project, this.ssoKeys.keyOf(project.id, sessionId)) }
          : {}),
        location: withQuery(context.redirectUri, {
          code,
          ...(state !== undefined ? { state } : {}),
          ...(sessionState ? { session_state: sessionState } : {}),
          iss: project.issuer,
        }),
      };
    }
    return this.pages.page(200, { projectName: project.name, ...PAGE[type].done });
  }

  /**
   * RFC 6749 §4.1.2.1: until the client and its redirect_uri are known good, the user is told on our page
   * and never sent anywhere; after that, the error goes back to the app with state and iss.
   */
  private async refuseStart(
    project: Project,
    params: AuthorizationRequestParams,
    error: OAuthError,
  ): Promise<HostedAnswer> {
    const target = await errorRedirectUri(this.applications, project, params);
    if (target) {
      return {
        kind: 'redirect',
        location: withQuery(target.redirectUri, {
          error: error.error,
          error_description: error.description,
          ...(params.state !== undefined ? { state: params.state } : {}),
          iss: project.issuer,
        }),
      };
    }
    return this.pages.errorPage(project, 400, error.description);
  }

  private async redirectUriOf(
    type: HostedOAuthFlowType,
    project: Project,
    flowId: string,
  ): Promise<string | undefined> {
    if (!isUuid(flowId)) return undefined;
    const flow = await this.flows.findActive(flowId, type);
    return flow?.projectId === project.id ? flow.authRequest.redirectUri : undefined;
  }

  private restartLink(type: HostedOAuthFlowType, project: Project, restartQuery: string | undefined): Link | undefined {
    if (restartQuery === undefined) return undefined;
    return {
      href: `${project.issuer}/ui/${PAGE[type].path}${restartQuery ? `?${restartQuery}` : ''}`,
      label: PAGE[type].restart,
    };
  }
}

/** The flow id of a query that names a flow and nothing else (`?flow=<id>`), else undefined. */
function resumedFlowId(query: unknown): string | undefined {
  if (!query || typeof query !== 'object') return undefined;
  const entries = Object.entries(query as Record<string, unknown>);
  const [only] = entries;
  return entries.length === 1 && only?.[0] === 'flow' && typeof only[1] === 'string' ? only[1] : undefined;
}

/** The authorization request again, as a query string: "start again" repeats it exactly. */
function startQuery(params: AuthorizationRequestParams): string {
  return queryOf(params, START_PARAMS);
}

/** A refused param as the per-field message the renderer shows beside its input ("code: is required"). */
function paramMessage(field: FieldError): FlowMessage {
  const param = field.field.startsWith(PARAMS_PATH) ? field.field.slice(PARAMS_PATH.length) : field.field;
  return {
    type: 'ERROR',
    messageId: field.messageId,
    message: `${param}: ${field.message}`,
    i18nKey: field.i18nKey,
    context: [{ key: 'field', value: param }],
  };
}

/** What the user typed, to show again beside the errors; not a (wrong) code. The renderer never refills passwords. */
function refill(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => name !== 'code'));
}
