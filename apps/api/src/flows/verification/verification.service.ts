import { Injectable } from '@nestjs/common';
import type {
  AuthnRequest,
  FlowResponse,
  SelfServiceCompletedResponse,
  VerificationStartRequest,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { presentOutcome, stepResponse } from '../self-service/self-service-responses';
import { FlowEngine } from '../engine/flow-engine.service';
import {
  codeOption,
  emailVerificationStateOf,
  emailVerificationStepState,
} from '../../methods/email-code/email-code-verification';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { parseUiLocales } from '../../domain/email/mail-locale';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxJobs, type OutboxJob } from '../../domain/email/outbox-jobs';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { CODE_TTL_MS, generateCode, hashCode, unguessableCodeHash } from '../../infra/crypto/one-time-code';
import {
  linkOption,
  linkTokenMatches,
  newLinkToken,
  verificationLinkUrl,
} from '../../methods/email-code/verification-link';

/**
 * How the address is proven: `code` (native JSON: a code typed into the app) or `link` (hosted pages: a
 * link opened from the mail, in any browser). A link flow belongs to the hosted pages, which any client may use.
 */
export type VerificationMode = 'code' | 'link';

/** The outbox job that, after the start is answered, finds the address's owner and mails the code or link. */
const VERIFICATION_MAIL_JOB = 'job:verification_mail';

/** What the start leaves for its job: the secret to mail (only its hash is in the flow) and how to find the flow. */
interface VerificationMailJob {
  projectSlug: string;
  flowId: string;
  /** The code (`code` mode) or the link's token (`link` mode). */
  code?: string;
  linkToken?: string;
  uiLocales?: string[];
}

/**
 * Standalone email verification, native JSON, in the registration flow's wire shape. The start always
 * answers the same code step, after the same work for every address: a flow holding a code's hash and an
 * outbox job. The job, after the answer, looks the address up: only a known, unverified address of an
 * active identity is mailed the code, and its flow bound to the identity; every other flow stays unbound,
 * so its code step fails exactly like a mistyped code and the endpoint reveals nothing about who has an
 * account, neither by its answer nor by its time.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly flows: FlowStore,
    private readonly identities: IdentitiesRepository,
    private readonly applications: ApplicationsService,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
    private readonly projects: ProjectsService,
    private readonly engine: FlowEngine,
    jobs: OutboxJobs,
  ) {
    jobs.register(VERIFICATION_MAIL_JOB, (job) => this.mailOwner(job));
  }

  async start(
    project: Project,
    request: VerificationStartRequest,
    mode: VerificationMode = 'code',
  ): Promise<FlowResponse> {
    const application = await this.applications.findByClientId(project.id, request.client_id);
    if (mode === 'code' && !application?.appNative)
      throw ApiError.badRequest('client_id is not an app-native application of this project.');
    if (!application) throw ApiError.badRequest('client_id is not an application of this project.');
    const email = normaliseIdentifier(request.email);
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    // Link mode: the link expires with the code TTL; every address gets a token hash, mailed or not.
    const link = mode === 'link' ? newLinkToken(expiresAt) : undefined;
    // The same work for every address (docs/self-service.md, "Timing"): the owner is looked up after the answer.
    // A link flow has no code step: its code matches nothing, whoever owns the address.
    const pending = { codeHash: link ? unguessableCodeHash() : hashCode(code), expiresAt, attempts: 0 };
    const uiLocales = parseUiLocales(request.ui_locales);
    const flow = await this.flows.transaction(async (tx) => {
      const created = await this.flows.create(tx, {
        projectId: project.id,
        applicationId: application.id,
        type: 'VERIFICATION',
        // Verification issues no authorization code; the client is kept so the flow stays bound to it.
        authRequest: { clientId: application.clientId, scope: '', ...(link ? { responseMode: 'query' as const } : {}) },
        identityId: null,
        stepState: emailVerificationStepState({ pending, email, ...(link ? { link: link.pending } : {}) }),
        // The flow lives as long as its code: there is nothing else to wait for.
        expiresAt: new Date(expiresAt),
      });
      const job: VerificationMailJob = {
        projectSlug: project.slug,
        flowId: created.id,
        ...(link ? { linkToken: link.token } : { code }),
        ...(uiLocales?.length ? { uiLocales: [...uiLocales] } : {}),
      };
      await this.outbox.enqueueJob(tx, {
        projectId: project.id,
        kind: VERIFICATION_MAIL_JOB,
        to: email,
        payload: { ...job },
        idempotencyKey: `verification-request:${created.id}`,
      });
      return created;
    });
    if (link)
      return stepResponse(project, 'VERIFICATION', flow.id, 'INCOMPLETE', linkOption(), [
        SelfServiceMessages.verificationLinkSent(),
      ]);
    return stepResponse(project, 'VERIFICATION', flow.id, 'INCOMPLETE', codeOption(), [
      SelfServiceMessages.verificationCodeSent(),
    ]);
  }

  /**
   * The start's outbox job, after the answer: a known, unverified address of an active identity is mailed
   * the code or link, in the transaction that binds the flow to the identity (the code works only then).
   * Unknown and verified addresses, and flows that ended meanwhile, get nothing; the job is done either way.
   */
  private async mailOwner(job: OutboxJob): Promise<void> {
    const { projectSlug, flowId, code, linkToken, uiLocales } = job.payload as unknown as VerificationMailJob;
    const project = await this.projects.findBySlug(projectSlug);
    const flow = project ? await this.flows.findActive(flowId, 'VERIFICATION') : undefined;
    await job.transaction(async (tx) => {
      const email = flow && emailVerificationStateOf(flow)?.email;
      if (!project || !flow || !email) return;
      const identityId = await this.identities.findUnverifiedOwner(tx, project.id, email);
      // A verification flow has one step.
      if (!identityId || !(await this.flows.bindIdentity(tx, 'VERIFICATION', flow.id, 0, identityId))) return;
      // The owner's locale trait, then the request's ui_locales, then the project's default locale.
      const kind = linkToken ? 'verification_link' : 'verification_code';
      const locale =
        (await this.recipients.find(project, kind, identityId, uiLocales, tx))?.locale ||
        project.settings.defaultLocale;
      const common = { projectId: project.id, locale, to: email, idempotencyKey: `verification:${flow.id}` };
      if (linkToken) {
        const link = verificationLinkUrl(project.issuer, flow.id, linkToken);
        await this.outbox.enqueueTemplate(tx, {
          ...common,
          kind: 'verification_link',
          variables: { projectName: project.name, link, expiresInMinutes: CODE_TTL_MS / 60_000 },
        });
      } else {
        await this.outbox.enqueueTemplate(tx, {
          ...common,
          kind: 'verification_code',
          variables: { projectName: project.name, code, expiresInMinutes: CODE_TTL_MS / 60_000 },
        });
      }
    });
  }

  /**
   * The mailed link, opened: verifies the address once. Wrong, used, expired and never-mailed links all
   * answer false alike. No cookie or session is involved: people open mail on another device.
   */
  async confirmLink(project: Project, flowId: string, token: string): Promise<boolean> {
    const flow = isUuid(flowId) ? await this.flows.findActive(flowId, 'VERIFICATION') : undefined;
    if (!flow || flow.projectId !== project.id || flow.expiresAt.getTime() <= Date.now()) return false;
    const state = emailVerificationStateOf(flow);
    if (!state || !linkTokenMatches(state.link, token) || !flow.identityId) return false;
    const identityId = flow.identityId;
    // The optimistic lock makes the link single-use: a second opening finds the flow finished.
    return this.flows.transaction(async (tx) => {
      if (!(await this.flows.update(tx, flow, { state: 'succeeded' }))) return false;
      await this.identities.markAddressVerified(tx, identityId, 'email', state.email);
      return true;
    });
  }

  /** The client a (possibly used or expired) verification flow was started for, to start a new one. */
  async clientIdOf(project: Project, flowId: string): Promise<string | undefined> {
    return isUuid(flowId) ? this.flows.findClientId(project.id, flowId, 'VERIFICATION') : undefined;
  }

  /**
   * The code step, run by the flow engine like any other step: the email-code method's verification option
   * checks the code and marks the address verified with the step (methods/email-code/email-code-verification.ts).
   */
  async advance(project: Project, request: AuthnRequest): Promise<FlowResponse | SelfServiceCompletedResponse> {
    return presentOutcome(project, 'VERIFICATION', await this.engine.advance(project, request, 'VERIFICATION'));
  }
}
