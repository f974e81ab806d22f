import { SELF_SERVICE_ACTIONS, type FlowMessage, type FlowType } from '@keyway/flow-types';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { PrivilegedWindowGate } from './privileged-window.gate';
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
  /**
   * The last step is offered again after every success (settings' menu: each action re-offers the updated
   * menu), until an option completes the flow. The other options' state survives a success.
   */
  readonly repeats?: boolean;
  /** The step's options sit behind a StepGate (domain/flows/step-gate.ts); see StepOptionsResolver. */
  readonly gate?: FlowGate;
  /** Ends the flow (FAIL_COMPLETED) when a step has no option to offer, instead of presenting an empty step. */
  readonly noOptions?: () => FlowMessage;
  /** Every move and every initiation gives the flow the project's flow lifetime again (an idle timeout). */
  readonly slidingExpiry?: boolean;
}

/**
 * While the gate named `name` is closed, the step offers `options` (re-authentication) instead of its own; a
 * step option selected meanwhile is answered, uncounted, with the gate's step and `closed()`, except the
 * `ungated` ones (leaving changes nothing). Once open, the step's options are shown and `options` stay selectable.
 */
export interface FlowGate {
  readonly name: string;
  readonly options: readonly string[];
  readonly ungated: readonly string[];
  readonly closed: () => FlowMessage;
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
  SETTINGS: {
    type: 'SETTINGS',
    // The menu, in the order the wire shows it; each option is offered only when the account allows it.
    steps: () => [
      [
        SELF_SERVICE_ACTIONS.updateProfile,
        SELF_SERVICE_ACTIONS.changePassword,
        SELF_SERVICE_ACTIONS.enrollTotp,
        SELF_SERVICE_ACTIONS.removeTotp,
        SELF_SERVICE_ACTIONS.addPasskey,
        SELF_SERVICE_ACTIONS.removePasskey,
        SELF_SERVICE_ACTIONS.unlinkConnection,
        SELF_SERVICE_ACTIONS.regenerateBackupCodes,
        SELF_SERVICE_ACTIONS.finishSettings,
      ],
    ],
    repeats: true,
    gate: {
      name: PrivilegedWindowGate.NAME,
      options: [SELF_SERVICE_ACTIONS.passwordReauthentication, SELF_SERVICE_ACTIONS.passkeyReauthentication],
      ungated: [SELF_SERVICE_ACTIONS.finishSettings],
      closed: SettingsMessages.reauthenticationRequired,
    },
    noOptions: SettingsMessages.reauthenticationUnavailable,
    slidingExpiry: true,
    restart: 'Start a new settings flow.',
    tooManyAttempts: SelfServiceMessages.tooManyAttempts,
  },
} as const satisfies Record<FlowType, FlowDefinition>;

/** The flow types the engine runs: all of them. */
export type EngineFlowType = keyof typeof DEFINITIONS;

export function flowDefinition(type: EngineFlowType): FlowDefinition {
  return DEFINITIONS[type];
}
