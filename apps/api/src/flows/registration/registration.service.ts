import { Injectable } from '@nestjs/common';
import type {
  AuthnRequest,
  FlowResponse,
  RegistrationSessionResponse,
  SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { RequestContext } from '../../infra/http/request-context';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxJobs, type OutboxJob } from '../../domain/email/outbox-jobs';
import type { FlowRecord } from '../../domain/flows/flow';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { IdentitiesRepository, type NewIdentity } from '../../domain/identities/identities.repository';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import { AuthorizationCodeGrant } from '../../domain/grants/authorization-code.grant';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { APP_NATIVE_FRONT, AuthorizeService, type AuthorizationFront } from '../../domain/grants/authorize.service';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { presentOutcome, startFromAuthorizationRequest } from '../self-service/self-service-responses';
import { CODE_TTL_MS } from '../../infra/crypto/one-time-code';
import { REGISTRATION_JOB, type RegistrationJob } from '../../methods/password/password-registration';
import { FlowEngine } from '../engine/flow-engine.service';

/**
 * SUCCESS_COMPLETED without authData ends hosted flows that have no redirect_uri; with `session`, native
 * flows started without an authorization request.
 */
export type RegistrationAnswer = FlowResponse | SelfServiceCompletedResponse | RegistrationSessionResponse;

/** The code step's index (flows/engine/flow-definitions.ts: form, code): the job binds flows there. */
const CODE_STEP = 1;

/**
 * Self-service registration, native JSON, in the login flow's wire shape. Step 1 is the form (traits from
 * the project's default identity schema + password). When the schema has a verifiable email, step 2 asks
 * for the code mailed to it, and only then is the authorization code issued: a taken address gets exactly
 * the same step 2 (its owner is mailed a notice instead of a code), so the answers never reveal who has an
 * account. Nor does their time: step 1 does the same work for every address (the password's argon2id hash,
 * the flow's code hash and an outbox job), and the job creates the identity or mails the notice after the
 * answer.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly flows: FlowStore,
    private readonly identities: IdentitiesRepository,
    private readonly authorize: AuthorizeService,
    private readonly authorizationResponse: AuthorizationResponseService,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
    private readonly codeGrant: AuthorizationCodeGrant,
    private readonly projects: ProjectsService,
    private readonly engine: FlowEngine,
    jobs: OutboxJobs,
  ) {
    jobs.register(REGISTRATION_JOB, (job) => this.createAccount(job));
  }

  /**
   * Validates the OAuth params with the authorize pipeline (client, redirect_uri, PKCE, scope) and starts the
   * flow. `front`: APP_NATIVE_FRONT for the JSON API (a RegistrationStartRequest), HOSTED_FRONT for the pages.
   */
  async start(
    project: Project,
    request: AuthorizationRequestParams,
    authorization: string | undefined,
    front: AuthorizationFront = APP_NATIVE_FRONT,
  ): Promise<FlowResponse> {
    return startFromAuthorizationRequest(
      this.authorize,
      this.engine,
      project,
      'REGISTRATION',
      request,
      authorization,
      front,
    );
  }

  /**
   * Answers the current step, run by the flow engine like any other: the form is the password method's
   * registration option (methods/password/password-registration.ts), the code the email-code method's
   * verification option. `front` must be the one that started the flow: each front answers only its own flows.
   */
  async advance(
    project: Project,
    request: AuthnRequest,
    front: AuthorizationFront = APP_NATIVE_FRONT,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    const outcome = await this.engine.advance(project, request, 'REGISTRATION', { hosted: front.browser === true });
    if (outcome.status !== 'SUCCESS_COMPLETED') return presentOutcome(project, 'REGISTRATION', outcome);
    return this.succeed(project, outcome.flow, outcome.flow.identityId, client);
  }

  /**
   * The form step's outbox job, after the answer. A new address: the identity (traits, password, login
   * identifiers, unverified addresses) is created, the flow bound to it and the code mailed, in one
   * transaction. A taken address or identifier: nothing is created, the flow stays unbound (its code step
   * fails like a mistyped code) and the address is mailed a `registration_attempt` notice. A flow that
   * ended meanwhile gets nothing.
   */
  private async createAccount(job: OutboxJob): Promise<void> {
    const { projectSlug, flowId, code, identity: fields } = job.payload as unknown as RegistrationJob;
    const project = await this.projects.findBySlug(projectSlug);
    const flow = project ? await this.flows.findActive(flowId, 'REGISTRATION') : undefined;
    if (!project || !flow || flow.stepIndex !== CODE_STEP || flow.identityId) {
      await job.transaction(async () => undefined);
      return;
    }
    const identity: NewIdentity = { projectId: project.id, ...fields };
    const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
    const register = async (tx: Tx, forceTaken: boolean): Promise<void> => {
      const taken =
        forceTaken || (await this.identities.isTaken(tx, project.id, identity.identifiers, identity.addresses));
      if (!taken) {
        const { id: identityId } = await this.identities.create(tx, identity);
        // The flow ended between the read above and now: roll the identity back; the retry finds the flow gone.
        if (!(await this.flows.bindIdentity(tx, 'REGISTRATION', flow.id, CODE_STEP, identityId)))
          throw ApiError.flowConflict();
      }
      const locale = await this.recipients.localeFor(
        project,
        taken ? 'registration_attempt' : 'verification_code',
        identity,
        flow.authRequest.uiLocales,
        tx,
      );
      const common = { projectId: project.id, locale, to: job.to, idempotencyKey: `registration:${flow.id}` };
      if (taken) {
        await this.outbox.enqueueTemplate(tx, {
          ...common,
          kind: 'registration_attempt',
          variables: { projectName: project.name },
        });
      } else {
        await this.outbox.enqueueTemplate(tx, {
          ...common,
          kind: 'verification_code',
          variables: {
            projectName: project.name,
            code,
            expiresInMinutes: CODE_TTL_MS / 60_000,
            ...(name ? { name } : {}),
          },
        });
      }
    };
    try {
      await job.transaction((tx) => register(tx, false));
    } catch (error) {
      // A concurrent registration took an identifier between our check and insert: as for any taken one.
      if (!isUniqueViolation(error)) throw error;
      await job.transaction((tx) => register(tx, true));
    }
  }

  private async succeed(
    project: Project,
    flow: FlowRecord,
    identityId: string,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    // A hosted flow started without a redirect_uri has no one to give a code to: it ends on a "done" page.
    if (flow.authRequest.responseMode === 'query' && !flow.authRequest.redirectUri)
      return { flowId: flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'REGISTRATION' };
    const record: FlowRecord & { identityId: string } = { ...flow, type: 'REGISTRATION', identityId, amr: ['pwd'] };
    const authData = await this.authorizationResponse.issue(project, record, client);
    if (flow.authRequest.responseMode !== 'session') return { flowStatus: 'SUCCESS_COMPLETED', authData };
    // Started without an authorization request: the code never leaves the server; it is redeemed here, by the
    // token endpoint's own grant, so the session's tokens are exactly those a code exchange would give.
    const application = await this.applications.findByClientId(project.id, flow.authRequest.clientId);
    if (!application || application.id !== flow.applicationId)
      throw ApiError.badRequest('The application of this flow is no longer available.', ErrorCodes.FLOW_INVALID_ID);
    const session = await this.codeGrant.handle(project, application, {
      grant_type: 'authorization_code',
      code: authData.code,
    });
    return { flowId: flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'REGISTRATION', session };
  }
}
