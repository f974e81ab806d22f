import { Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes, OAuthError } from '../../../infra/http/errors';
import type { RequestContext } from '../../../infra/http/request-context';
import { randomToken, sha256 } from '../../../infra/crypto/tokens';
import type { FlowRecord } from '../../../domain/flows/flow';
import { FlowEngine, type FlowOutcome } from '../../../flows/engine/flow-engine.service';
import type { Project } from '../../../domain/projects/projects.service';
import { AuthorizeService, FIRST_PARTY_FRONT } from '../../../domain/grants/authorize.service';
import { ClientAuthenticator, readClientCredentials } from '../../../domain/grants/client-authentication';
import type { AuthorizeChallengeParams } from './authorize-challenge-request';
import { FirstPartyPresenter, type ChallengeAnswer } from './first-party.presenter';
import { selectAnswer, type StepOption } from './step-answer';

/**
 * The First-Party Apps front of the flow engine (draft-ietf-oauth-first-party-apps-04): auth_session ↔ the
 * flow, insufficient_authorization ↔ the next step, authorization_code ↔ SUCCESS_COMPLETED.
 *
 * The auth_session is a fresh 256-bit random value (§5.3.1), never the flow id; only its SHA-256 is stored,
 * so the database does not hold usable sessions. It stays the same for the whole flow and dies with it.
 */
@Injectable()
export class AuthorizeChallengeService {
  constructor(
    private readonly authorize: AuthorizeService,
    private readonly engine: FlowEngine,
    private readonly clientAuthenticator: ClientAuthenticator,
    private readonly presenter: FirstPartyPresenter,
  ) {}

  /** `client`: the request, whose device is recorded with the session when this request completes the login. */
  async challenge(
    project: Project,
    params: AuthorizeChallengeParams,
    authorization: string | undefined,
    client?: RequestContext,
  ): Promise<ChallengeAnswer> {
    return params.auth_session === undefined
      ? this.begin(project, params, authorization, client)
      : this.resume(project, params.auth_session, params, authorization, client);
  }

  /** First request: the authorization request runs the same checks as app-native /authorize. */
  private async begin(
    project: Project,
    params: AuthorizeChallengeParams,
    authorization: string | undefined,
    client?: RequestContext,
  ): Promise<ChallengeAnswer> {
    // §5.1: client_id may be left out when client authentication names the client (Basic, or an assertion's
    // sub); the pipeline then checks the credentials against it as for any confidential client.
    const named =
      params.client_id === undefined && namesClient(authorization, params)
        ? { ...params, client_id: readClientCredentials(authorization, params).clientId }
        : params;
    const { application, authRequest } = await this.authorize.validate(
      project,
      named,
      authorization,
      FIRST_PARTY_FRONT,
    );
    const authSession = randomToken();
    const started = await this.engine.start(project, application, authRequest, {
      authSessionHash: sha256(authSession),
    });
    return this.presenter.present(project, await this.answerSteps(project, started, params), authSession, client);
  }

  /**
   * Follow-up request. The authorization request was fixed by the first one, so its parameters are ignored
   * here, except the client's identity: the auth_session names the client, a client_id sent anyway must be
   * the same one (§5.1), and confidential clients authenticate on every request (§4.1).
   */
  private async resume(
    project: Project,
    authSession: string,
    params: AuthorizeChallengeParams,
    authorization: string | undefined,
    client?: RequestContext,
  ): Promise<ChallengeAnswer> {
    const flow = await this.engine.findByAuthSession(project, sha256(authSession));
    if (!flow) throw invalidSession();
    await this.checkClient(project, flow, params, authorization);
    const options = await this.engine.stepOptions(project, flow.id);
    const answer = selectAnswer(options, params);
    const outcome = answer
      ? await this.answerSteps(
          project,
          await this.advance(project, flow.id, answer),
          withoutAnswered(params, answer.params),
        )
      : await this.engine.describe(project, flow.id);
    return this.presenter.present(project, outcome, authSession, client);
  }

  /**
   * Runs every step the request carries answers for, in order: a client that already has the password and a
   * TOTP code (draft Appendix A.3) sends both at once. Stops at the first step it cannot answer or that fails.
   */
  private async answerSteps(
    project: Project,
    outcome: FlowOutcome,
    params: Record<string, string | undefined>,
  ): Promise<FlowOutcome> {
    let current = outcome;
    let remaining = params;
    while (current.status === 'INCOMPLETE') {
      const options: StepOption[] = current.nextStep.authenticators.map((option) => ({
        authenticatorId: option.authenticatorId,
        requiredParams: option.requiredParams ?? [],
      }));
      const answer = selectAnswer(options, remaining);
      if (!answer) break;
      current = await this.advance(project, current.flow.id, answer);
      remaining = withoutAnswered(remaining, answer.params);
    }
    return current;
  }

  /** FlowEngine.advance, with the engine's flow errors in this endpoint's vocabulary. */
  private async advance(
    project: Project,
    flowId: string,
    selectedAuthenticator: { authenticatorId: string; params?: Record<string, string> | undefined },
  ): Promise<FlowOutcome> {
    try {
      return await this.engine.advance(project, { flowId, selectedAuthenticator });
    } catch (error) {
      if (error instanceof ApiError && error.code === ErrorCodes.FLOW_INVALID_ID) throw invalidSession();
      throw error;
    }
  }

  private async checkClient(
    project: Project,
    flow: FlowRecord,
    params: AuthorizeChallengeParams,
    authorization: string | undefined,
  ): Promise<void> {
    // Another client holding a valid auth_session learns nothing more than from a made-up one.
    if (params.client_id !== undefined && params.client_id !== flow.authRequest.clientId) throw invalidSession();
    const credentials = readClientCredentials(authorization, {
      client_id: params.client_id ?? (namesClient(authorization, params) ? undefined : flow.authRequest.clientId),
      client_secret: params.client_secret,
      client_assertion_type: params.client_assertion_type,
      client_assertion: params.client_assertion,
    });
    const client = await this.clientAuthenticator.authenticate(project, credentials, 'authorize-challenge');
    if (client.id !== flow.applicationId) throw invalidSession();
  }
}

/** Whether the client authentication itself names the client: Basic credentials or a client assertion. */
function namesClient(authorization: string | undefined, params: AuthorizeChallengeParams): boolean {
  return (
    (authorization?.toLowerCase().startsWith('basic ') ?? false) ||
    params.client_assertion !== undefined ||
    params.client_assertion_type !== undefined
  );
}

function invalidSession(): OAuthError {
  return new OAuthError('invalid_session', 'auth_session is invalid, expired or already used; start again without it');
}

/** The request's params minus those a step consumed (and the option choice, which named that step's option). */
function withoutAnswered(
  params: Record<string, string | undefined>,
  answered: Record<string, string> | undefined,
): Record<string, string | undefined> {
  const consumed = new Set([...Object.keys(answered ?? {}), 'authenticator_id', 'login_hint']);
  return Object.fromEntries(Object.entries(params).filter(([name]) => !consumed.has(name)));
}
