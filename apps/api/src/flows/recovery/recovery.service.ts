import { Injectable } from '@nestjs/common';
import type { AuthnRequest, FlowResponse, SelfServiceCompletedResponse } from '@keyway/flow-types';
import { presentOutcome, startFromAuthorizationRequest } from '../self-service/self-service-responses';
import type { RequestContext } from '../../infra/http/request-context';
import { OutboxJobs, type OutboxJob } from '../../domain/email/outbox-jobs';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository, type IdentityCandidate } from '../../domain/identities/identities.repository';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { APP_NATIVE_FRONT, AuthorizeService, type AuthorizationFront } from '../../domain/grants/authorize.service';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { RECOVERY_CODE_JOB, type RecoveryCodeJob } from '../../methods/email-code/email-code-recovery';
import { FlowEngine } from '../engine/flow-engine.service';
import { RECOVERY_CODE_STEP as CODE_STEP } from './assisted-recovery';
import { RecoveryCodeMail } from './recovery-code-mail';

/**
 * Self-service recovery, native JSON, in the login flow's wire shape: address → code mailed to it →
 * new password → authorization code for a fresh session. Step 1 answers the same for every address
 * (unknown, unverified, locked, disabled), and in the same time: it stores a code's hash in the flow and
 * an outbox job, and nothing else. The job, after the answer, binds the flow to the identity and mails
 * the code only when the address is a recovery address (schema `recovery.via: email`) of an active
 * identity; every other flow stays unbound, so its code step fails like a mistyped code.
 */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly flows: FlowStore,
    private readonly identities: IdentitiesRepository,
    private readonly engine: FlowEngine,
    private readonly authorize: AuthorizeService,
    private readonly authorizationResponse: AuthorizationResponseService,
    private readonly schemas: IdentitySchemasService,
    private readonly mail: RecoveryCodeMail,
    private readonly projects: ProjectsService,
    jobs: OutboxJobs,
  ) {
    jobs.register(RECOVERY_CODE_JOB, (job) => this.mailCode(job));
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
      'RECOVERY',
      request,
      authorization,
      front,
    );
  }

  /**
   * The current step of a flow this front started, presented again: the hosted page a recovery mail sent by an
   * administrator links to (`/ui/recovery?flow=…`), whose flow waits at its code step.
   */
  async describe(
    project: Project,
    flowId: string,
    front: AuthorizationFront,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    const outcome = await this.engine.describe(project, flowId, 'RECOVERY', { hosted: front.browser === true });
    return presentOutcome(project, 'RECOVERY', outcome);
  }

  /**
   * Answers the current step, run by the flow engine like any other: the address, the code and the new password
   * are options of the email-code and password methods (methods/email-code/email-code-recovery.ts,
   * methods/password/password-reset.ts). `front` must be the one that started the flow: each front answers only
   * its own flows. The last step ends with an authorization code for a fresh session (or, on the hosted pages
   * without a redirect_uri, a "done" page).
   */
  async advance(
    project: Project,
    request: AuthnRequest,
    front: AuthorizationFront = APP_NATIVE_FRONT,
    client?: RequestContext,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    const outcome = await this.engine.advance(project, request, 'RECOVERY', { hosted: front.browser === true });
    if (outcome.status !== 'SUCCESS_COMPLETED') return presentOutcome(project, 'RECOVERY', outcome);
    const { flow } = outcome;
    if (flow.authRequest.responseMode === 'query' && !flow.authRequest.redirectUri)
      return { flowId: flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'RECOVERY' };
    return { flowStatus: 'SUCCESS_COMPLETED', authData: await this.authorizationResponse.issue(project, flow, client) };
  }

  /**
   * The address step's outbox job, after the answer: a recovery address of an active identity gets the
   * code, and the flow is bound to that identity in the same transaction (the code works only then). Any
   * other address, or a flow that has ended meanwhile, gets nothing; the job is done either way.
   */
  private async mailCode(job: OutboxJob): Promise<void> {
    const { projectSlug, flowId, code } = job.payload as unknown as RecoveryCodeJob;
    const project = await this.projects.findBySlug(projectSlug);
    const flow = project ? await this.flows.findActive(flowId, 'RECOVERY') : undefined;
    const identity =
      project && flow?.stepIndex === CODE_STEP ? await this.recoverableIdentity(project, job.to) : undefined;
    await job.transaction(async (tx) => {
      if (!project || !flow || !identity) return;
      if (!(await this.flows.bindIdentity(tx, 'RECOVERY', flow.id, CODE_STEP, identity.id))) return;
      await this.mail.enqueue(tx, project, flow, identity, { to: job.to, code });
    });
  }

  /** The active identity for which `address` is a recovery address (schema `recovery.via: email`), if any. */
  private async recoverableIdentity(project: Project, address: string): Promise<IdentityCandidate | undefined> {
    for (const candidate of await this.identities.findCandidates(project.id, address)) {
      if (!candidate.active) continue;
      const schema = (await this.schemas.resolve(project.id, candidate.schemaVersion)).compiled;
      if (schema.recoveryAddressesOf(candidate.traits).includes(address)) return candidate;
    }
    return undefined;
  }
}
