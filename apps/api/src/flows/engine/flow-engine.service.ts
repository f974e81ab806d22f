import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AuthenticatorOption, AuthnRequest, FlowMessage, NextStep } from '@keyway/flow-types';
import type { Application } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import type { Project } from '../../domain/projects/projects.service';
import {
  describeOption,
  OPTION_SOURCES,
  stateKeyOf,
  type Authenticator,
  type AuthenticatorContext,
  type OptionSource,
} from '../../methods/authenticator';
import { AuthenticatorRegistry } from './authenticator.registry';
import type { AuthRequest, FlowRecord } from '../../domain/flows/flow';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore, type FlowChange, type Tx } from '../../domain/flows/flow.store';
import { flowDefinition, type EngineFlowType, type FlowDefinition } from './flow-definitions';
import { StepOptionsResolver, type Selection } from './step-options';
import { checkParamLengths, missingParams, requireParams } from '../../domain/flows/step-params';

/** What a step of a flow led to. Fronts (app-native JSON, FiPA) turn it into their wire format. */
export type FlowOutcome =
  | { status: 'INCOMPLETE' | 'FAIL_INCOMPLETE'; flow: FlowRecord; nextStep: NextStep }
  | { status: 'FAIL_COMPLETED'; flow: FlowRecord; messages: FlowMessage[] }
  | { status: 'SUCCESS_COMPLETED'; flow: FlowRecord & { identityId: string } };

/**
 * Who answers: the hosted pages answer only the flows they started, the JSON fronts all others; a flow bound
 * to an owner (settings: the identity and session of the access token that started it) answers only to it.
 */
export interface EngineFront {
  hosted?: boolean;
  owner?: { identityId: string; sessionId: string };
}

/** How a flow starts: its type (login unless said), the identity it is born bound to, the FiPA auth_session. */
export interface FlowStart {
  type?: EngineFlowType;
  identityId?: string;
  /** Names the flow for the First-Party Apps front, which never shows the flow id. */
  authSessionHash?: string;
}

/** Thrown inside the step's transaction to roll it back when an option refuses the answer after all. */
class RefusedInTransaction extends Error {
  constructor(readonly refusal: FlowMessage[]) {
    super('refused');
  }
}

/** Failed answers one flow may give, whatever usernames they name, before it dies. */
const MAX_FAILURES_PER_FLOW = 10;

/**
 * The flow engine: a server-side state machine of steps, each offering one or more authenticators.
 * Every call re-checks the flow's binding (tenant, client, expiry, progress) on the server.
 */
@Injectable()
export class FlowEngine {
  constructor(
    private readonly flows: FlowStore,
    private readonly identities: IdentitiesRepository,
    private readonly registry: AuthenticatorRegistry,
    private readonly applications: ApplicationsService,
    private readonly stepOptionsResolver: StepOptionsResolver,
    private readonly hooks: AfterFlowHooks,
    @Optional() @Inject(OPTION_SOURCES) private readonly sources: OptionSource[] = [],
  ) {}

  /** Authenticator names that a login flow may use. */
  knownAuthenticators(): string[] {
    return this.registry.names('AUTHENTICATION');
  }

  /** Creates a flow (a login unless `start.type` says otherwise) and presents its first step. */
  async start(
    project: Project,
    application: Application,
    authRequest: AuthRequest,
    { type = 'AUTHENTICATION', ...binding }: FlowStart = {},
  ): Promise<FlowOutcome> {
    const flow = await this.flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type,
      authRequest,
      expiresAt: this.lifetime(project),
      ...binding,
    });
    return this.presentStep({ project, application, flow }, 'INCOMPLETE');
  }

  /**
   * The first step `start` would present for this application, without creating a flow or initiating
   * anything (no code sent, no passkey challenge made): the console's preview of a login flow being designed.
   * An option that would be initiated at once is shown by its id and name, as in a MULTI_OPTIONS_PROMPT.
   */
  async previewFirstStep(project: Project, application: Application): Promise<NextStep> {
    const flow: FlowRecord = {
      id: 'preview',
      projectId: project.id,
      applicationId: application.id,
      type: 'AUTHENTICATION',
      stepIndex: 0,
      identityId: null,
      amr: [],
      failedAttempts: 0,
      authRequest: { clientId: application.clientId, scope: 'openid' },
      stepState: {},
      expiresAt: this.lifetime(project),
      version: 0,
    };
    return this.describeStep({ project, application, flow }, { initiate: false });
  }

  /**
   * Whether a session authenticated with `amr` has passed every step of this application's login flow: each
   * step offers an option whose amr the session holds (Authenticator.amr). Single sign-on reuses the session
   * only then; otherwise the app's flow runs (a step-up for a factor the session lacks).
   */
  async sessionSatisfies(project: Project, application: Application, amr: readonly string[]): Promise<boolean> {
    const held = new Set(amr);
    const passes = (values: readonly string[] | undefined) => values?.some((value) => held.has(value)) === true;
    const sourced = await Promise.all(this.sources.map((source) => source.firstStepAmr(project, application)));
    return flowDefinition('AUTHENTICATION')
      .steps(application)
      .every(
        (step, index) =>
          step.some((name) => passes(this.registry.get(name)?.amr)) || (index === 0 && sourced.some(passes)),
      );
  }

  /**
   * The running flow of this project that a First-Party Apps auth_session names (by its SHA-256).
   * Unknown, finished, expired and other tenants' flows are all undefined, as in loadFlow.
   */
  async findByAuthSession(project: Project, authSessionHash: string): Promise<FlowRecord | undefined> {
    const flow = await this.flows.findActiveByAuthSessionHash(authSessionHash);
    if (!flow || flow.projectId !== project.id || flow.expiresAt.getTime() <= Date.now()) return undefined;
    return flow;
  }

  /**
   * The current step's options and the params that answer each, without initiating anything: fronts that
   * receive an answer without an authenticatorId (First-Party Apps) pick the option by the params sent.
   */
  async stepOptions(
    project: Project,
    flowId: string,
  ): Promise<Array<{ authenticatorId: string; requiredParams: string[] }>> {
    const { flow, application } = await this.loadFlow(project, flowId);
    const context: AuthenticatorContext = { project, application, flow };
    return Promise.all(
      (await this.stepOptionsResolver.resolve(context)).map(async ({ authenticator }) => ({
        authenticatorId: this.registry.idOf(authenticator),
        requiredParams: (await authenticator.prompt(context)).requiredParams,
      })),
    );
  }

  /** The current step again, as `start` presents it (for a front asked to continue without an answer). */
  async describe(
    project: Project,
    flowId: string,
    type: EngineFlowType = 'AUTHENTICATION',
    front: EngineFront = {},
  ): Promise<FlowOutcome> {
    const { flow, application } = await this.loadFlow(project, flowId, type, front);
    return this.presentStep({ project, application, flow }, 'INCOMPLETE');
  }

  /**
   * An option of the current step prepared without selecting it: initiated (a passkey challenge made and kept
   * on the flow) and described in full, while the step still offers all its options. The hosted login's passkey
   * autofill needs the challenge on the first page, beside the username field; answering the option later
   * verifies against this challenge. Undefined when the step does not offer the option.
   */
  async prepareOption(
    project: Project,
    flowId: string,
    authenticatorId: string,
    front: EngineFront = {},
  ): Promise<AuthenticatorOption | undefined> {
    const { flow, application } = await this.loadFlow(project, flowId, 'AUTHENTICATION', front);
    const context: AuthenticatorContext = { project, application, flow };
    const selection = await this.stepOptionsResolver.select(context, authenticatorId);
    if (!selection || 'closedGate' in selection) return undefined;
    const outcome = await this.initiate(context, selection.option.authenticator);
    return outcome.status === 'INCOMPLETE' ? outcome.nextStep.authenticators[0] : undefined;
  }

  /** Answers the current step of a flow of `type` (the front decides which type its endpoint serves). */
  async advance(
    project: Project,
    request: AuthnRequest,
    type: EngineFlowType = 'AUTHENTICATION',
    front: EngineFront = {},
  ): Promise<FlowOutcome> {
    const definition = flowDefinition(type);
    const { flow, application } = await this.loadFlow(project, request.flowId, type, front);
    const context: AuthenticatorContext = { project, application, flow };
    const selection = await this.selectOption(context, request.selectedAuthenticator.authenticatorId);
    // Behind a closed gate nothing is counted or done: the answer is the gate's step (re-authentication).
    if ('closedGate' in selection) return this.presentStep(context, 'INCOMPLETE', [selection.closedGate.closed()]);
    const { authenticator, userInitiated } = selection.option;
    const params = request.selectedAuthenticator.params;

    const empty = params === undefined || Object.keys(params).length === 0;
    if (empty && userInitiated) return this.initiate(context, authenticator, true);
    // Forms answer their missing fields themselves, per field (a refused form, counted); other options' missing
    // params are the client's mistake (FLW-60003), refused before anything is counted.
    if (!authenticator.reportsMissingFields) {
      const { requiredParams } = await authenticator.prompt(context);
      if (empty && requiredParams.length > 0) throw missingParams(requiredParams);
      requireParams(params ?? {}, requiredParams);
    }
    checkParamLengths(params ?? {});

    const result = await authenticator.authenticate(context, params ?? {});
    if (
      result.outcome === 'success' &&
      flow.identityId &&
      result.identityId !== undefined &&
      flow.identityId !== result.identityId
    ) {
      return this.fail(context, FlowMessages.identityMismatch(), true);
    }
    if (result.outcome === 'terminal') return this.fail(context, result.message, true);
    if (result.outcome === 'failure') {
      const stepState =
        result.stepState === undefined
          ? undefined
          : { ...flow.stepState, [stateKeyOf(authenticator)]: result.stepState };
      return this.fail(
        context,
        result.message,
        false,
        stepState,
        result.moreMessages,
        result.reprompt ? authenticator : undefined,
      );
    }
    if (result.outcome === 'continue') return this.present(context, authenticator, result.stepState, result.messages);

    const amr = [...new Set([...flow.amr, ...result.amr])];
    // The index still grows in a repeating flow: each move is its own (hooks key their idempotency on it).
    const stepIndex = flow.stepIndex + 1;
    const done =
      result.completesFlow === true || (!definition.repeats && stepIndex >= definition.steps(application).length);
    // A step may prove nothing about who it is yet (recovery's address step: the flow is bound to the account
    // later, by the job that mails it), but the last one always has.
    const identityId = result.identityId ?? flow.identityId;
    if (done && !identityId) throw new Error(`The last step of a ${type} flow succeeded without an identity`);
    // Checked here, where every front's login ends (app-native /oauth2/authn and First-Party Apps
    // /oauth2/authorize-challenge), and only after the last step proved who it is: telling an unverified
    // user earlier would confirm an account to anyone who knows its email address.
    if (
      done &&
      definition.checksVerifiedEmail &&
      project.settings.requireVerifiedEmail &&
      !(await this.identities.hasVerifiedEmail(identityId as string))
    ) {
      await this.commit(flow, { state: 'failed' });
      return { status: 'FAIL_COMPLETED', flow, messages: [FlowMessages.emailNotVerified()] };
    }
    const { next } = result;
    const change: FlowChange = {
      stepIndex,
      identityId,
      amr,
      stepState: this.stepStateAfter(definition, flow, authenticator, next?.stepState),
      ...(next?.expiresAt
        ? { expiresAt: next.expiresAt }
        : definition.slidingExpiry
          ? { expiresAt: this.lifetime(project) }
          : {}),
      ...(done ? { state: 'succeeded' as const } : {}),
    };
    const { effects, refusedBy } = result;
    // The flow type's after-flow hooks (the welcome mail) run in the transaction that completes the flow.
    const hooks =
      done && definition.completed
        ? await definition.completed(this.hooks, { project, flow, identityId: identityId as string })
        : undefined;
    // The option's own writes and the hooks commit with the step, or nothing does (a second answer finds the
    // flow moved; an option refusing after all leaves the flow as it was, and the answer counts as a failure).
    let written: FlowRecord;
    const messages = [...(next?.messages ?? [])];
    try {
      written =
        effects || hooks?.any
          ? await this.flows.transaction(async (tx) => {
              // The option's writes first (the step may point the flow at the identity they create); if the
              // flow moved meanwhile, the commit's conflict rolls them back with it.
              const effected = await effects?.(tx);
              if (effected && 'refused' in effected) throw new RefusedInTransaction([effected.refused]);
              if (effected) messages.push(...effected.messages);
              const moved = await this.commit(flow, change, tx);
              await hooks?.run(tx);
              return moved;
            })
          : await this.commit(flow, change);
    } catch (error) {
      const refusal = error instanceof RefusedInTransaction ? error.refusal : await refusedBy?.(error);
      const [first, ...more] = refusal ?? [];
      if (first) return this.fail(context, first, false, undefined, more);
      throw error;
    }
    await result.afterCommit?.();
    if (done) return { status: 'SUCCESS_COMPLETED', flow: { ...written, identityId: identityId as string } };
    const shown = next?.shown === undefined ? undefined : { [stateKeyOf(authenticator)]: next.shown };
    return this.presentStep({ ...context, flow: written, ...(shown ? { shown } : {}) }, 'INCOMPLETE', messages);
  }

  /**
   * The step state a success leaves: the next step's, as the option gives it; in a repeating flow the other
   * options' state stays (a TOTP secret shown before a profile change is shown again) and the option's own is
   * replaced by what it gives, or dropped.
   */
  private stepStateAfter(
    definition: FlowDefinition,
    flow: FlowRecord,
    authenticator: Authenticator,
    next: Record<string, unknown> | undefined,
  ): Record<string, unknown> {
    if (!definition.repeats) return next ?? {};
    const { [stateKeyOf(authenticator)]: _own, ...others } = flow.stepState;
    return { ...others, ...next };
  }

  /** A new expiry: the project's flow lifetime from now. */
  private lifetime(project: Project): Date {
    return new Date(Date.now() + project.settings.flowTtlSeconds * 1000);
  }

  private async loadFlow(
    project: Project,
    flowId: string,
    type: EngineFlowType = 'AUTHENTICATION',
    front: EngineFront = {},
  ): Promise<{ flow: FlowRecord; application: Application }> {
    const flow = isUuid(flowId) ? await this.flows.findActive(flowId, type) : undefined;
    const hosted = front.hosted === true;
    // Unknown, finished, expired and other tenants' flows all answer the same, and so do flows of the other
    // front: the hosted pages (response mode `query`) alone answer theirs, and never a JSON front's.
    if (
      !flow ||
      flow.projectId !== project.id ||
      flow.expiresAt.getTime() <= Date.now() ||
      (flow.authRequest.responseMode === 'query') !== hosted ||
      // Another identity's or another session's flow answers exactly like an unknown one.
      (front.owner !== undefined &&
        (flow.identityId !== front.owner.identityId || flow.authRequest.sessionId !== front.owner.sessionId))
    ) {
      throw ApiError.badRequest(
        `Invalid or expired flowId. ${flowDefinition(type).restart}`,
        ErrorCodes.FLOW_INVALID_ID,
      );
    }
    const application = await this.applications.findByClientId(project.id, flow.authRequest.clientId);
    // Any client may use the hosted pages; the JSON fronts are app-native access.
    if (!application || application.id !== flow.applicationId || (!hosted && !application.appNative)) {
      throw ApiError.badRequest('The application of this flow is no longer available.', ErrorCodes.FLOW_INVALID_ID);
    }
    return { flow, application };
  }

  /** The selected option must be one the current step offers. */
  private async selectOption(context: AuthenticatorContext, authenticatorId: string): Promise<Selection> {
    const option = await this.stepOptionsResolver.select(context, authenticatorId);
    if (!option) {
      throw ApiError.badRequest(
        'The selected authenticator is not offered in the current step.',
        ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
      );
    }
    return option;
  }

  /** `reselected`: the user selected the option again without params (a resend), not the engine presenting the step. */
  private async initiate(
    context: AuthenticatorContext,
    authenticator: Authenticator,
    reselected = false,
  ): Promise<FlowOutcome> {
    const { stepState, refused } = (await authenticator.initiate?.(context, { reselected })) ?? {};
    if (refused) {
      // Not a wrong answer (nothing is counted): the option stays as it was, with the reason.
      const option = await this.describeStepOption(context, authenticator, true);
      return {
        status: 'FAIL_INCOMPLETE',
        flow: context.flow,
        nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [option], messages: [refused] },
      };
    }
    return this.present(context, authenticator, stepState);
  }

  /** Stores the option's step state and answers with its full prompt. */
  private async present(
    context: AuthenticatorContext,
    authenticator: Authenticator,
    stepState: unknown,
    messages: FlowMessage[] = [],
  ): Promise<FlowOutcome> {
    const flow = await this.commit(context.flow, {
      stepState: { ...context.flow.stepState, [stateKeyOf(authenticator)]: stepState },
      ...(flowDefinition(context.flow.type).slidingExpiry ? { expiresAt: this.lifetime(context.project) } : {}),
    });
    return this.promptOnly({ ...context, flow }, authenticator, 'INCOMPLETE', messages);
  }

  /** Only this option, with its full prompt. */
  private async promptOnly(
    context: AuthenticatorContext,
    authenticator: Authenticator,
    status: 'INCOMPLETE' | 'FAIL_INCOMPLETE',
    messages: FlowMessage[] = [],
  ): Promise<FlowOutcome> {
    const option = await this.describeStepOption(context, authenticator, true);
    return {
      status,
      flow: context.flow,
      nextStep: {
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [option],
        ...(messages.length ? { messages } : {}),
      },
    };
  }

  /**
   * A failure is written under the same lock as a success: of two answers that read one version only the
   * first is recorded, the other answers flowConflict. So two concurrent wrong answers cannot both spend
   * one of the flow's attempts (each was still counted by the lockout, which reserves before checking),
   * and a right answer racing a recorded wrong one retries rather than overwrite its count.
   */
  private async fail(
    context: AuthenticatorContext,
    message: FlowMessage,
    terminal: boolean,
    stepState?: Record<string, unknown>,
    moreMessages: FlowMessage[] = [],
    /** Show only this option again, not the whole step. */
    reprompt?: Authenticator,
  ): Promise<FlowOutcome> {
    const failedAttempts = context.flow.failedAttempts + 1;
    const dead = terminal || failedAttempts >= MAX_FAILURES_PER_FLOW;
    const flow = await this.commit(context.flow, {
      failedAttempts,
      ...(dead ? { state: 'failed' as const } : {}),
      ...(stepState ? { stepState } : {}),
    });
    const tooMany = flowDefinition(flow.type as EngineFlowType).tooManyAttempts ?? FlowMessages.tooManyAttempts;
    if (dead) return { status: 'FAIL_COMPLETED', flow, messages: [terminal ? message : tooMany()] };
    const messages = [message, ...moreMessages];
    if (reprompt) return this.promptOnly({ ...context, flow }, reprompt, 'FAIL_INCOMPLETE', messages);
    return this.presentStep({ ...context, flow }, 'FAIL_INCOMPLETE', messages);
  }

  /**
   * The current step as the outcome of a request, with `messages`; a step with nothing to offer ends the flow
   * when the flow type says so (settings for an identity without a factor to re-authenticate with).
   */
  private async presentStep(
    context: AuthenticatorContext,
    status: 'INCOMPLETE' | 'FAIL_INCOMPLETE',
    messages: FlowMessage[] = [],
  ): Promise<FlowOutcome> {
    const { noOptions } = flowDefinition(context.flow.type);
    const nextStep = await this.describeStep(context);
    if (noOptions && nextStep.authenticators.length === 0) {
      const flow = await this.commit(context.flow, { state: 'failed' });
      return { status: 'FAIL_COMPLETED', flow, messages: [noOptions()] };
    }
    return { status, flow: context.flow, nextStep: messages.length ? { ...nextStep, messages } : nextStep };
  }

  /** The flow as written (its new version included, for a later write in the same request); flowConflict if another request wrote first. */
  private async commit(flow: FlowRecord, change: FlowChange, tx?: Tx): Promise<FlowRecord> {
    const written = await this.flows.update(tx, flow, change);
    if (!written) throw ApiError.flowConflict();
    return written;
  }

  /**
   * The step's options as StepOptionsResolver sees them (configured, plus those offered alongside).
   * One option → AUTHENTICATOR_PROMPT with its full prompt (initiated right away if it needs it).
   * Several → MULTI_OPTIONS_PROMPT, where options that need user initiation show only id and name.
   */
  private async describeStep(context: AuthenticatorContext, { initiate = true } = {}): Promise<NextStep> {
    const options = await this.stepOptionsResolver.resolve(context);
    if (options.length === 1 && options[0]) {
      const only = options[0];
      if (only.userInitiated && initiate) {
        const outcome = await this.initiate(context, only.authenticator);
        if (outcome.status === 'INCOMPLETE') return outcome.nextStep;
      }
      return {
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [await this.describeStepOption(context, only.authenticator, !only.userInitiated || initiate)],
      };
    }
    return {
      stepType: 'MULTI_OPTIONS_PROMPT',
      authenticators: await Promise.all(
        options.map((o) => this.describeStepOption(context, o.authenticator, !o.userInitiated)),
      ),
    };
  }

  private async describeStepOption(
    context: AuthenticatorContext,
    authenticator: Authenticator,
    full: boolean,
  ): Promise<AuthenticatorOption> {
    const base = {
      authenticatorId: this.registry.idOf(authenticator),
      authenticator: authenticator.displayName,
      idp: authenticator.idp,
    };
    if (!full) return { ...base, metadata: { i18nKey: authenticator.i18nKey } };
    return describeOption(authenticator, await authenticator.prompt(context));
  }
}
