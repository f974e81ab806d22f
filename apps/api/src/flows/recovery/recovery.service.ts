import { Injectable } from '@nestjs/common';
import {
  encodeAuthenticatorId,
  SELF_SERVICE_ACTIONS,
  type AuthenticatorOption,
  type AuthnRequest,
  type FlowMessage,
  type FlowResponse,
  type SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import {
  failAnswer,
  failedResponse,
  loadLiveFlow,
  startFromAuthorizationRequest,
  stepResponse,
} from '../self-service/self-service-responses';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import type { RequestContext } from '../../infra/http/request-context';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxJobs, type OutboxJob } from '../../domain/email/outbox-jobs';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import type { FlowRecord } from '../../domain/flows/flow';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository, type IdentityCandidate } from '../../domain/identities/identities.repository';
import { checkParamLengths, requireParams } from '../../domain/flows/step-params';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { APP_NATIVE_FRONT, AuthorizeService, type AuthorizationFront } from '../../domain/grants/authorize.service';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { CODE_TTL_MS, generateCode, hashCode, normaliseCode } from '../../infra/crypto/one-time-code';
import {
  answerCode,
  CODE_PARAM,
  CODE_STEP,
  EMAIL_PARAM,
  EMAIL_STEP,
  PASSWORD_PARAM,
  PASSWORD_STEP,
  PRIVILEGED_WINDOW_MS,
  readNewPassword,
  type RecoveryCodeState,
} from './recovery-steps';

export const RECOVERY_EMAIL_ID = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.recoveryEmail, 'LOCAL');
export const RECOVERY_CODE_ID = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.recoveryCode, 'LOCAL');
export const PASSWORD_RESET_ID = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.passwordReset, 'LOCAL');

/** Failed submissions of the address or password steps one flow accepts before it dies, as in registration. */
const MAX_FORM_FAILURES = 10;
/** The recovery code proves possession of the mailbox, a one-time code (RFC 8176 `otp`); no password was proven. */
const RECOVERY_AMR = ['otp'];
/** The outbox job that, after the address step is answered, finds the account and mails it the code. */
const RECOVERY_CODE_JOB = 'job:recovery_code';

/** What the address step leaves for its job: the code (only its hash is in the flow) and how to find the flow. */
interface RecoveryCodeJob {
  projectSlug: string;
  flowId: string;
  code: string;
}

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
    private readonly lockout: LockoutService,
    private readonly authorize: AuthorizeService,
    private readonly authorizationResponse: AuthorizationResponseService,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    private readonly hasher: PasswordHasher,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
    private readonly projects: ProjectsService,
    private readonly hooks: AfterFlowHooks,
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
    const flow = await startFromAuthorizationRequest(
      this.authorize,
      this.flows,
      project,
      'RECOVERY',
      request,
      authorization,
      front,
    );
    return stepResponse(project, 'RECOVERY', flow.id, 'INCOMPLETE', emailOption());
  }

  /** `front` must be the one that started the flow: each front answers only its own flows. */
  async advance(
    project: Project,
    request: AuthnRequest,
    front: AuthorizationFront = APP_NATIVE_FRONT,
    client?: RequestContext,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    const flow = await loadLiveFlow(
      project,
      'RECOVERY',
      request.flowId,
      (id) => this.flows.findActive(id, 'RECOVERY'),
      this.applications,
      front.browser === true,
    );
    const params = request.selectedAuthenticator.params ?? {};
    checkParamLengths(params);
    const expected =
      flow.stepIndex === EMAIL_STEP
        ? RECOVERY_EMAIL_ID
        : flow.stepIndex === CODE_STEP
          ? RECOVERY_CODE_ID
          : PASSWORD_RESET_ID;
    if (request.selectedAuthenticator.authenticatorId !== expected) {
      throw ApiError.badRequest(
        'The selected authenticator is not offered in the current step.',
        ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
      );
    }
    if (flow.stepIndex === EMAIL_STEP) return this.submitEmail(project, flow, params[EMAIL_PARAM] ?? '');
    if (flow.stepIndex === CODE_STEP) {
      // A missing code is a client's mistake, not a guess: refused before the attempt is counted.
      requireParams(params, [CODE_PARAM], normaliseCode);
      return this.submitCode(project, flow, params[CODE_PARAM] ?? '');
    }
    return this.submitPassword(project, flow, params, client);
  }

  private async submitEmail(project: Project, flow: FlowRecord, email: string): Promise<FlowResponse> {
    const address = normaliseIdentifier(email);
    if (address === '') {
      const required: FlowMessage = {
        type: 'ERROR',
        messageId: 'msg_trait_required',
        message: `${EMAIL_PARAM}: is required`,
        i18nKey: 'message.msg_trait_required',
        context: [{ key: 'field', value: EMAIL_PARAM }],
      };
      return failAnswer(this.flows, project, 'RECOVERY', flow, [required], emailOption(), MAX_FORM_FAILURES);
    }
    // The same work for every address (docs/self-service.md, "Timing"): whether the address has an account
    // is not looked at before the answer, so neither the answer nor its time can tell.
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    const state: RecoveryCodeState = { pending: { codeHash: hashCode(code), expiresAt, attempts: 0 }, address };
    await this.flows.transaction(async (tx) => {
      if (
        !(await this.flows.update(tx, flow, {
          stepIndex: CODE_STEP,
          stepState: { ...state },
          expiresAt: new Date(expiresAt),
        }))
      )
        throw ApiError.flowConflict();
      const job: RecoveryCodeJob = { projectSlug: project.slug, flowId: flow.id, code };
      await this.outbox.enqueueJob(tx, {
        projectId: project.id,
        kind: RECOVERY_CODE_JOB,
        to: address,
        payload: { ...job },
        idempotencyKey: `recovery-request:${flow.id}`,
      });
    });
    return stepResponse(project, 'RECOVERY', flow.id, 'INCOMPLETE', codeOption(), [
      SelfServiceMessages.recoveryCodeSent(),
    ]);
  }

  private async submitCode(project: Project, flow: FlowRecord, code: string): Promise<FlowResponse> {
    const state = flow.stepState as unknown as RecoveryCodeState;
    const answer = answerCode(state, code, flow.identityId !== null);
    if (answer.kind === 'expired') {
      await this.flows.update(undefined, flow, { state: 'failed' });
      return failedResponse('RECOVERY', flow.id, [SelfServiceMessages.codeExpired()]);
    }
    if (answer.kind !== 'valid') {
      const dead = answer.kind === 'dead';
      if (
        !(await this.flows.update(undefined, flow, {
          stepState: { ...answer.state },
          failedAttempts: flow.failedAttempts + 1,
          ...(dead ? { state: 'failed' as const } : {}),
        }))
      )
        throw ApiError.flowConflict();
      if (answer.kind === 'dead') return failedResponse('RECOVERY', flow.id, [SelfServiceMessages.tooManyAttempts()]);
      return stepResponse(project, 'RECOVERY', flow.id, 'FAIL_INCOMPLETE', codeOption(), [
        SelfServiceMessages.invalidCode(answer.remaining),
      ]);
    }
    const identityId = flow.identityId as string;
    // The privileged window is the flow's new lifetime: the password must be chosen within it.
    const privilegedUntil = Date.now() + PRIVILEGED_WINDOW_MS;
    // The optimistic lock makes the code single-use: a second answer finds the flow at the password step.
    await this.flows.transaction(async (tx) => {
      const moved = await this.flows.update(tx, flow, {
        stepIndex: PASSWORD_STEP,
        stepState: { address: state.address, privilegedUntil },
        expiresAt: new Date(privilegedUntil),
        amr: RECOVERY_AMR,
      });
      if (!moved) throw ApiError.flowConflict();
      await this.identities.markAddressVerified(tx, identityId, 'email', state.address);
    });
    return stepResponse(project, 'RECOVERY', flow.id, 'INCOMPLETE', passwordOption(), [
      SelfServiceMessages.chooseNewPassword(),
    ]);
  }

  private async submitPassword(
    project: Project,
    flow: FlowRecord,
    params: Record<string, string>,
    client?: RequestContext,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    const form = readNewPassword(params);
    if (!form.ok)
      return failAnswer(this.flows, project, 'RECOVERY', flow, form.messages, passwordOption(), MAX_FORM_FAILURES);
    const identityId = flow.identityId as string;
    const identity = await this.identities.findCandidate(project.id, identityId);
    if (!identity?.active) {
      await this.flows.update(undefined, flow, { state: 'failed' });
      throw ApiError.badRequest('Invalid or expired flowId. Start a new recovery flow.', ErrorCodes.FLOW_INVALID_ID);
    }
    const schema = (await this.schemas.resolve(project.id, identity.schemaVersion)).compiled;
    // Hashed before the transaction: argon2id takes tens of milliseconds that no lock should wait for.
    const passwordHash = await this.hasher.hash(form.password);
    const address = String(flow.stepState['address'] ?? '');
    // The hooks (flows/hooks): every session so far revoked, the password_changed notice.
    const hooks = await this.hooks.prepare('recovery.completed', {
      project,
      flow,
      identityId,
      at: new Date(),
      identity,
      address,
    });
    await this.flows.transaction(async (tx) => {
      if (!(await this.flows.update(tx, flow, { state: 'succeeded' }))) throw ApiError.flowConflict();
      await this.identities.setPassword(
        tx,
        project.id,
        identityId,
        passwordHash,
        schema.identifiersOf(identity.traits),
      );
      // Recovery proves the mailbox, which is stronger than the password guesses a lock is about, so it lifts the lock
      // (recovery itself, not an after-flow hook: the new password must work at once).
      await this.lockout.unlockIdentity(tx, project.id, identityId);
      await hooks.run(tx);
    });
    // A hosted flow started without a redirect_uri has no one to give a code to: it ends on a "done" page.
    if (flow.authRequest.responseMode === 'query' && !flow.authRequest.redirectUri)
      return { flowId: flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'RECOVERY' };
    const record: FlowRecord & { identityId: string } = { ...flow, type: 'RECOVERY', identityId, amr: RECOVERY_AMR };
    return {
      flowStatus: 'SUCCESS_COMPLETED',
      authData: await this.authorizationResponse.issue(project, record, client),
    };
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
      const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
      await this.outbox.enqueueTemplate(tx, {
        projectId: project.id,
        locale: await this.recipients.localeFor(project, 'recovery_code', identity, flow.authRequest.uiLocales, tx),
        to: job.to,
        idempotencyKey: `recovery:${flow.id}`,
        kind: 'recovery_code',
        variables: {
          projectName: project.name,
          email: job.to,
          code,
          expiresInMinutes: CODE_TTL_MS / 60_000,
          ...(name ? { name } : {}),
        },
      });
    });
  }

  /** The active identity for which `address` is a recovery address (schema `recovery.via: email`), if any. */
  private async recoverableIdentity(project: Project, address: string): Promise<IdentityCandidate | undefined> {
    for (const candidate of await this.identities.findCandidates(project.id, address)) {
      if (!candidate.active) continue;
      const schema = (await this.schemas.resolve(project.id, candidate.schemaVersion)).compiled;
      const isRecoveryAddress = schema.traits.some((trait) => {
        const value = candidate.traits[trait.name];
        return (
          trait.annotations.recovery?.via === 'email' &&
          typeof value === 'string' &&
          normaliseIdentifier(value) === address
        );
      });
      if (isRecoveryAddress) return candidate;
    }
    return undefined;
  }
}

function userPrompt(
  authenticatorId: string,
  authenticator: string,
  i18nKey: string,
  param: { param: string; i18nKey: string; displayName: string; confidential: boolean },
): AuthenticatorOption {
  return {
    authenticatorId,
    authenticator,
    idp: 'LOCAL',
    metadata: { i18nKey, promptType: 'USER_PROMPT', params: [{ ...param, type: 'STRING', order: 0 }] },
    requiredParams: [param.param],
  };
}

export function emailOption(): AuthenticatorOption {
  return userPrompt(RECOVERY_EMAIL_ID, 'Account recovery', 'action.email.recovery', {
    param: EMAIL_PARAM,
    i18nKey: 'param.email',
    displayName: 'E-mail',
    confidential: false,
  });
}

export function codeOption(): AuthenticatorOption {
  return userPrompt(RECOVERY_CODE_ID, 'Recovery code', 'action.email.recovery.code', {
    param: CODE_PARAM,
    i18nKey: 'param.recovery.code',
    displayName: 'Recovery code',
    confidential: false,
  });
}

export function passwordOption(): AuthenticatorOption {
  return userPrompt(PASSWORD_RESET_ID, 'New password', 'action.password.reset', {
    param: PASSWORD_PARAM,
    i18nKey: 'param.password.new',
    displayName: 'New password',
    confidential: true,
  });
}
