import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  encodeAuthenticatorId,
  SELF_SERVICE_ACTIONS,
  type AuthenticatorOption,
  type AuthnRequest,
  type FlowResponse,
  type RegistrationSessionResponse,
  type SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { RequestContext } from '../../infra/http/request-context';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxJobs, type OutboxJob } from '../../domain/email/outbox-jobs';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import type { FlowRecord } from '../../domain/flows/flow';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { IdentitiesRepository, type NewIdentity } from '../../domain/identities/identities.repository';
import { checkParamLengths, requireParams } from '../../domain/flows/step-params';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import { AuthorizationCodeGrant } from '../../domain/grants/authorization-code.grant';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { APP_NATIVE_FRONT, AuthorizeService, type AuthorizationFront } from '../../domain/grants/authorize.service';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { paramsFromSchema, requiredParamsFromSchema } from '../../domain/schemas/schema-params';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import {
  failAnswer,
  failedResponse,
  loadLiveFlow,
  startFromAuthorizationRequest,
  stepResponse,
} from '../self-service/self-service-responses';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import {
  checkCode,
  CODE_TTL_MS,
  generateCode,
  hashCode,
  MAX_CODE_ATTEMPTS,
  normaliseCode,
  type PendingCode,
} from '../../infra/crypto/one-time-code';
import { CODE_PARAM, codeOption, EMAIL_CODE_ID } from '../../methods/email-code/email-code-verification';
import { fieldMessages, PASSWORD_PARAM, readRegistrationForm } from './registration-form';

/**
 * SUCCESS_COMPLETED without authData ends hosted flows that have no redirect_uri; with `session`, native
 * flows started without an authorization request.
 */
export type RegistrationAnswer = FlowResponse | SelfServiceCompletedResponse | RegistrationSessionResponse;

const REGISTRATION_FORM_ID = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.passwordRegistration, 'LOCAL');

/** Steps of a registration flow (Flow.stepIndex). */
const FORM_STEP = 0;
const CODE_STEP = 1;
/** Failed form submissions one flow accepts before it dies, as in the login flow. */
const MAX_FORM_FAILURES = 10;

interface CodeState {
  pending: PendingCode;
  address: { via: 'email'; value: string };
}

/** The outbox job that, after the form is answered, creates the account (or tells the address's owner). */
const REGISTRATION_JOB = 'job:registration';

/**
 * What the form step leaves for its job: the identity to create (its password already hashed: the request
 * spends the argon2id time for every address), the code to mail (only its hash is in the flow), the flow.
 */
interface RegistrationJob {
  projectSlug: string;
  flowId: string;
  code: string;
  identity: Omit<NewIdentity, 'projectId'>;
}

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
    private readonly hasher: PasswordHasher,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
    private readonly codeGrant: AuthorizationCodeGrant,
    private readonly projects: ProjectsService,
    private readonly hooks: AfterFlowHooks,
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
    const flow = await startFromAuthorizationRequest(
      this.authorize,
      this.flows,
      project,
      'REGISTRATION',
      request,
      authorization,
      front,
    );
    const schema = await this.schemas.getDefault(project.id);
    return stepResponse(project, 'REGISTRATION', flow.id, 'INCOMPLETE', formOption(schema.compiled));
  }

  /** `front` must be the one that started the flow: each front answers only its own flows. */
  async advance(
    project: Project,
    request: AuthnRequest,
    front: AuthorizationFront = APP_NATIVE_FRONT,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    const flow = await loadLiveFlow(
      project,
      'REGISTRATION',
      request.flowId,
      (id) => this.flows.findActive(id, 'REGISTRATION'),
      this.applications,
      front.browser === true,
    );
    const params = request.selectedAuthenticator.params ?? {};
    checkParamLengths(params);
    const expected = flow.stepIndex === FORM_STEP ? REGISTRATION_FORM_ID : EMAIL_CODE_ID;
    if (request.selectedAuthenticator.authenticatorId !== expected) {
      throw ApiError.badRequest(
        'The selected authenticator is not offered in the current step.',
        ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
      );
    }
    if (flow.stepIndex === FORM_STEP) return this.submitForm(project, flow, params, client);
    // A missing code is a client's mistake, not a guess: refused before the attempt is counted.
    requireParams(params, [CODE_PARAM], normaliseCode);
    return this.submitCode(project, flow, params[CODE_PARAM] ?? '', client);
  }

  private async submitForm(
    project: Project,
    flow: FlowRecord,
    params: Record<string, string>,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    // The flow keeps the default schema current when it answers; a new default applies to the next submission.
    const schema = (await this.schemas.getDefault(project.id)).compiled;
    const form = readRegistrationForm(schema, params);
    if (!form.ok)
      return failAnswer(
        this.flows,
        project,
        'REGISTRATION',
        flow,
        fieldMessages(form.errors),
        formOption(schema),
        MAX_FORM_FAILURES,
      );

    const identity: NewIdentity = {
      projectId: project.id,
      traits: form.traits as NewIdentity['traits'],
      schemaVersion: (await this.schemas.getDefault(project.id)).version,
      // Hashed before the transaction: argon2id takes tens of milliseconds that no lock should wait for.
      passwordHash: await this.hasher.hash(form.password),
      identifiers: schema.identifiersOf(form.traits),
      addresses: schema.verifiableAddressesOf(form.traits),
    };
    const email = identity.addresses.find((address) => address.via === 'email');
    if (!email) return this.registerWithoutVerification(project, flow, identity, schema, client);

    // The same work for every address (docs/self-service.md, "Timing"): whether it is taken is not looked at
    // before the answer; the job creates the identity or mails the owner after it.
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    const state: CodeState = {
      pending: { codeHash: hashCode(code), expiresAt, attempts: 0 },
      address: { via: 'email', value: email.value },
    };
    await this.flows.transaction(async (tx) => {
      if (
        !(await this.flows.update(tx, flow, {
          stepIndex: CODE_STEP,
          amr: ['pwd'],
          stepState: { ...state },
          expiresAt: new Date(expiresAt),
        }))
      )
        throw ApiError.flowConflict();
      const { projectId: _projectId, ...newIdentity } = identity;
      const job: RegistrationJob = { projectSlug: project.slug, flowId: flow.id, code, identity: newIdentity };
      await this.outbox.enqueueJob(tx, {
        projectId: project.id,
        kind: REGISTRATION_JOB,
        to: email.value,
        payload: { ...job },
        idempotencyKey: `registration-request:${flow.id}`,
      });
    });
    return stepResponse(project, 'REGISTRATION', flow.id, 'INCOMPLETE', codeOption(), [
      SelfServiceMessages.verificationCodeSent(),
    ]);
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

  /**
   * Schemas without a verifiable email have no channel to tell an address's owner, so a taken identifier
   * can only be refused on screen (documented in docs/errors.md as msg_identifier_taken).
   */
  private async registerWithoutVerification(
    project: Project,
    flow: FlowRecord,
    identity: NewIdentity,
    schema: CompiledIdentitySchema,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    let identityId: string | null;
    // Chosen here: the hooks are prepared before the transaction that creates the identity.
    const id = randomUUID();
    const hooks = await this.hooks.prepare('registration.completed', {
      project,
      flow,
      identityId: id,
      at: new Date(),
      email: undefined,
    });
    try {
      identityId = await this.flows.transaction(async (tx) => {
        if (await this.identities.isTaken(tx, project.id, identity.identifiers, identity.addresses)) return null;
        await this.identities.create(tx, { ...identity, id });
        if (
          !(await this.flows.update(tx, flow, {
            stepIndex: CODE_STEP,
            identityId: id,
            amr: ['pwd'],
            state: 'succeeded',
          }))
        )
          throw ApiError.flowConflict();
        await hooks.run(tx);
        return id;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      identityId = null;
    }
    if (!identityId)
      return failAnswer(
        this.flows,
        project,
        'REGISTRATION',
        flow,
        [SelfServiceMessages.identifierTaken()],
        formOption(schema),
        MAX_FORM_FAILURES,
      );
    return this.succeed(project, flow, identityId, client);
  }

  private async submitCode(
    project: Project,
    flow: FlowRecord,
    code: string,
    client?: RequestContext,
  ): Promise<RegistrationAnswer> {
    const state = flow.stepState as unknown as CodeState;
    const result = checkCode(state.pending, code);
    if (result === 'expired') {
      await this.flows.update(undefined, flow, { state: 'failed' });
      return failedResponse('REGISTRATION', flow.id, [SelfServiceMessages.codeExpired()]);
    }
    if (result === 'invalid' || !flow.identityId) {
      const attempts = state.pending.attempts + 1;
      const remaining = MAX_CODE_ATTEMPTS - attempts;
      const stepState = { ...state, pending: { ...state.pending, attempts } };
      const dead = remaining <= 0;
      if (
        !(await this.flows.update(undefined, flow, {
          stepState,
          failedAttempts: flow.failedAttempts + 1,
          ...(dead ? { state: 'failed' as const } : {}),
        }))
      )
        throw ApiError.flowConflict();
      if (dead) return failedResponse('REGISTRATION', flow.id, [SelfServiceMessages.tooManyAttempts()]);
      return stepResponse(project, 'REGISTRATION', flow.id, 'FAIL_INCOMPLETE', codeOption(), [
        SelfServiceMessages.invalidCode(remaining),
      ]);
    }
    const identityId = flow.identityId;
    const hooks = await this.hooks.prepare('registration.completed', {
      project,
      flow,
      identityId,
      at: new Date(),
      email: state.address.value,
    });
    // The optimistic lock makes the code single-use: a second answer finds the flow finished.
    await this.flows.transaction(async (tx) => {
      if (!(await this.flows.update(tx, flow, { state: 'succeeded' }))) throw ApiError.flowConflict();
      await this.identities.markAddressVerified(tx, identityId, state.address.via, state.address.value);
      // The account is complete once its address is proven: the hooks (the welcome mail) commit with it.
      await hooks.run(tx);
    });
    return this.succeed(project, flow, identityId, client);
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

/** The form action: traits params from the schema (its order and types), then the password. */
export function formOption(schema: CompiledIdentitySchema): AuthenticatorOption {
  const traits = paramsFromSchema(schema);
  return {
    authenticatorId: REGISTRATION_FORM_ID,
    authenticator: 'Password registration',
    idp: 'LOCAL',
    metadata: {
      i18nKey: 'action.password.registration',
      promptType: 'USER_PROMPT',
      params: [
        ...traits,
        {
          param: PASSWORD_PARAM,
          type: 'STRING',
          order: traits.length,
          i18nKey: 'param.password',
          displayName: 'Password',
          confidential: true,
        },
      ],
    },
    requiredParams: [...requiredParamsFromSchema(schema), PASSWORD_PARAM],
  };
}
