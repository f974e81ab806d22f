import type { FlowMessage, FlowType } from '@keyway/flow-types';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import type { Application } from '../../domain/applications/application';
import { RECOVERY_CODE, RECOVERY_EMAIL } from '../../methods/email-code/email-code-recovery';
import { EMAIL_CODE_VERIFICATION } from '../../methods/email-code/email-code-verification';
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
  RECOVERY: {
    type: 'RECOVERY',
    steps: () => [[RECOVERY_EMAIL], [RECOVERY_CODE], [PASSWORD_RESET]],
    restart: 'Start a new recovery flow.',
    tooManyAttempts: SelfServiceMessages.tooManyAttempts,
  },
} as const satisfies Partial<Record<FlowType, FlowDefinition>>;

/** The flow types the engine runs (registration and settings still have their own services). */
export type EngineFlowType = keyof typeof DEFINITIONS;

export function flowDefinition(type: EngineFlowType): FlowDefinition {
  return DEFINITIONS[type];
}

export function isEngineFlowType(type: FlowType): type is EngineFlowType {
  return type in DEFINITIONS;
}
