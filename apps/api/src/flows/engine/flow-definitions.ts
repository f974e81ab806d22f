import type { FlowMessage, FlowType } from '@keyway/flow-types';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import type { Application } from '../../domain/applications/application';
import { RECOVERY_CODE, RECOVERY_EMAIL } from '../../methods/email-code/email-code-recovery';
import type { AfterFlowEvent, AfterFlowHooks, DueHooks } from '../../domain/flows/after-flow-hooks';
import type { FlowRecord } from '../../domain/flows/flow';
import type { Project } from '../../domain/projects/projects.service';
import { EMAIL_CODE_VERIFICATION, emailVerificationStateOf } from '../../methods/email-code/email-code-verification';
import { PASSWORD_REGISTRATION } from '../../methods/password/password-registration';
import { PASSWORD_RESET } from '../../methods/password/password-reset';

/**
 * A flow type as data: its ordered steps, each the names of the options it offers (login's come from the
 * application's configuration), and what a client is told when its flow is gone. The engine runs every
 * type the same way: binding checks, option selection, param checks, failure caps, optimistic progress.
 */
export interface FlowDefinition {
  readonly type: FlowType;
  steps(application: Application): readonly (readonly string[])[];
  /** Ends FLW-60001's message: where a new flow of this type starts. */
  readonly restart: string;
  /** Login: the project's `requireVerifiedEmail` is checked once the last step proved who it is. */
  readonly checksVerifiedEmail?: boolean;
  /** What ends a flow that failed too often (login's own wording otherwise). */
  readonly tooManyAttempts?: () => FlowMessage;
  /**
   * The after-flow hooks of the type's completion, prepared before the completing step's transaction and run in
   * it (domain/flows/after-flow-hooks.ts).
   */
  readonly completed?: (hooks: AfterFlowHooks, done: CompletedFlow) => Promise<DueHooks<AfterFlowEvent>>;
}

/** A flow whose last step just succeeded, as its completion hooks see it (before the step is written). */
export interface CompletedFlow {
  project: Project;
  flow: FlowRecord;
  identityId: string;
}

const DEFINITIONS = {
  AUTHENTICATION: {
    type: 'AUTHENTICATION',
    steps: (application) => application.loginFlow,
    restart: 'Start a new flow at the authorization endpoint.',
    checksVerifiedEmail: true,
  },
  VERIFICATION: {
    type: 'VERIFICATION',
    steps: () => [[EMAIL_CODE_VERIFICATION]],
    restart: 'Start a new verification flow.',
    tooManyAttempts: SelfServiceMessages.tooManyAttempts,
  },
  REGISTRATION: {
    type: 'REGISTRATION',
    // The code step is skipped when the schema has no verifiable email (the form's option completes the flow).
    steps: () => [[PASSWORD_REGISTRATION], [EMAIL_CODE_VERIFICATION]],
    restart: 'Start a new registration flow.',
    tooManyAttempts: SelfServiceMessages.tooManyAttempts,
    // The account is complete once its address is proven (or at once without one): the welcome mail commits with it.
    completed: (hooks, { project, flow, identityId }) =>
      hooks.prepare('registration.completed', {
        project,
        flow,
        identityId,
        at: new Date(),
        email: emailVerificationStateOf(flow)?.email,
      }),
  },
  RECOVERY: {
    type: 'RECOVERY',
    steps: () => [[RECOVERY_EMAIL], [RECOVERY_CODE], [PASSWORD_RESET]],
    restart: 'Start a new recovery flow.',
    tooManyAttempts: SelfServiceMessages.tooManyAttempts,
  },
} as const satisfies Partial<Record<FlowType, FlowDefinition>>;

/** The flow types the engine runs (settings still has its own service). */
export type EngineFlowType = keyof typeof DEFINITIONS;

export function flowDefinition(type: EngineFlowType): FlowDefinition {
  return DEFINITIONS[type];
}

export function isEngineFlowType(type: FlowType): type is EngineFlowType {
  return type in DEFINITIONS;
}
