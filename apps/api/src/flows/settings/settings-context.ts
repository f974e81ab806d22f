import type { AuthenticatorOption, FlowMessage } from '@keyway/flow-types';
import type { Application } from '../../domain/applications/application';
import type { FlowRecord } from '../../domain/flows/flow';
import type { IdentityAccount } from '../../domain/identities/identities.repository';
import type { Project } from '../../domain/projects/projects.service';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import type { VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import type { SettingsFlowState } from './settings-steps';

/** One answer to a settings flow: who asks (the token), in which flow, about which account. */
export interface SettingsContext {
  project: Project;
  application: Application;
  flow: FlowRecord;
  state: SettingsFlowState;
  token: VerifiedAccessToken;
  account: IdentityAccount;
  schema: CompiledIdentitySchema;
}

/**
 * What an action did; SettingsService writes the flow accordingly and answers.
 * - done: the change is made; the (updated) menu is offered again with `messages`. `flowMoved` when the
 *   action already advanced the flow in its own transaction.
 * - prompt: the action was initiated (a secret or challenge was made); only its option is shown.
 * - retry: the answer was refused; the step (`option`, else the current step) is offered again, counted.
 * - terminal: the flow ends (identity locked).
 */
export type SettingsOutcome =
  | { kind: 'done'; messages: FlowMessage[]; state?: SettingsFlowState; backupCodes?: string[]; flowMoved?: boolean }
  | { kind: 'prompt'; option: AuthenticatorOption; state: SettingsFlowState }
  | { kind: 'retry'; messages: FlowMessage[]; option?: AuthenticatorOption; state?: SettingsFlowState }
  | { kind: 'terminal'; messages: FlowMessage[] };

/** The settings flow as the login authenticators see a flow (they run the re-authentication). */
export function asFlowRecord(context: SettingsContext, stepState: Record<string, unknown> = context.state): FlowRecord {
  const { flow } = context;
  return {
    id: flow.id,
    projectId: flow.projectId,
    applicationId: flow.applicationId,
    type: 'SETTINGS',
    stepIndex: flow.stepIndex,
    identityId: flow.identityId,
    amr: [],
    failedAttempts: flow.failedAttempts,
    authRequest: flow.authRequest,
    stepState,
    expiresAt: flow.expiresAt,
    version: flow.version,
  };
}
