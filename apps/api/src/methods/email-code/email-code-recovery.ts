import { Injectable } from '@nestjs/common';
import {
  encodeAuthenticatorId,
  SELF_SERVICE_ACTIONS,
  type AuthenticatorOption,
  type FlowMessage,
} from '@keyway/flow-types';
import { EmailOutbox } from '../../domain/email/email-outbox';
import type { FlowRecord } from '../../domain/flows/flow';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { requireParams } from '../../domain/flows/step-params';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import {
  checkCode,
  CODE_TTL_MS,
  generateCode,
  hashCode,
  MAX_CODE_ATTEMPTS,
  normaliseCode,
  type PendingCode,
} from '../../infra/crypto/one-time-code';
import {
  describeOption,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';

/** The options' names (authenticatorId = base64url(`${name}:LOCAL`)). */
export const RECOVERY_EMAIL = SELF_SERVICE_ACTIONS.recoveryEmail;
export const RECOVERY_CODE = SELF_SERVICE_ACTIONS.recoveryCode;
export const RECOVERY_EMAIL_ID = encodeAuthenticatorId(RECOVERY_EMAIL, 'LOCAL');
export const RECOVERY_CODE_ID = encodeAuthenticatorId(RECOVERY_CODE, 'LOCAL');

const EMAIL_PARAM = 'email';
const CODE_PARAM = 'code';

/**
 * How long the flow stays privileged after the code: enough to choose a password, short enough that a
 * device left unattended after reading the mail does not keep a password-changing flow open.
 */
const PRIVILEGED_WINDOW_MS = 10 * 60 * 1000;
/** The recovery code proves possession of the mailbox, a one-time code (RFC 8176 `otp`); no password was proven. */
const RECOVERY_AMR = ['otp'];

/** The outbox job that, after the address step is answered, finds the account and mails it the code. */
export const RECOVERY_CODE_JOB = 'job:recovery_code';

/** What the address step leaves for its job: the code (only its hash is in the flow) and how to find the flow. */
export interface RecoveryCodeJob {
  projectSlug: string;
  flowId: string;
  code: string;
}

/** What the step after the code keeps: the proven address and the end of the privileged window. */
export interface RecoveryPrivilege {
  address: string;
  privilegedUntil: number;
}

/** The code step's state in Flow.stepState. `address` is the normalised address the code was sent to. */
export interface RecoveryCodeState {
  pending: PendingCode;
  address: string;
}

export type CodeAnswer =
  | { kind: 'valid' }
  | { kind: 'expired' }
  | { kind: 'retry'; remaining: number; state: RecoveryCodeState }
  | { kind: 'dead'; state: RecoveryCodeState };

/**
 * Judges a code answer. A flow for an address nobody recovers with (`hasIdentity` false) holds an
 * unguessable hash and so fails exactly like a mistyped code: same messages, same attempt count.
 */
export function answerCode(state: RecoveryCodeState, code: string, hasIdentity: boolean, now = Date.now()): CodeAnswer {
  const result = checkCode(state.pending, code, now);
  if (result === 'expired') return { kind: 'expired' };
  if (result === 'valid' && hasIdentity) return { kind: 'valid' };
  const attempts = state.pending.attempts + 1;
  const next = { ...state, pending: { ...state.pending, attempts } };
  const remaining = MAX_CODE_ATTEMPTS - attempts;
  return remaining <= 0 ? { kind: 'dead', state: next } : { kind: 'retry', remaining, state: next };
}

function userPrompt(param: { param: string; i18nKey: string; displayName: string }): AuthenticatorPrompt {
  return {
    promptType: 'USER_PROMPT',
    params: [{ ...param, type: 'STRING', order: 0, confidential: false }],
    requiredParams: [param.param],
  };
}

const EMAIL_PROMPT = userPrompt({ param: EMAIL_PARAM, i18nKey: 'param.email', displayName: 'E-mail' });
const CODE_PROMPT = userPrompt({ param: CODE_PARAM, i18nKey: 'param.recovery.code', displayName: 'Recovery code' });
const EMAIL_META = {
  name: RECOVERY_EMAIL,
  idp: 'LOCAL',
  displayName: 'Account recovery',
  i18nKey: 'action.email.recovery',
};
const CODE_META = {
  name: RECOVERY_CODE,
  idp: 'LOCAL',
  displayName: 'Recovery code',
  i18nKey: 'action.email.recovery.code',
};

/** The address step as a step shows it (the start's answer and the hosted pages build it from here). */
export function recoveryEmailOption(): AuthenticatorOption {
  return describeOption(EMAIL_META, EMAIL_PROMPT);
}

export function recoveryCodeOption(): AuthenticatorOption {
  return describeOption(CODE_META, CODE_PROMPT);
}

/**
 * Recovery's first step: the address. It answers the same for every address (unknown, unverified, locked,
 * disabled), after the same work: a code's hash for the next step and an outbox job, and nothing else. The
 * job, after the answer, binds the flow to the account and mails the code only when the address is a recovery
 * address of an active identity (flows/recovery); every other flow stays unbound, so its code step fails like
 * a mistyped code.
 */
@Injectable()
export class RecoveryEmailOption implements Authenticator {
  readonly name = EMAIL_META.name;
  readonly idp = EMAIL_META.idp;
  readonly displayName = EMAIL_META.displayName;
  readonly i18nKey = EMAIL_META.i18nKey;
  readonly flowTypes = ['RECOVERY'] as const;
  readonly requiresInitiation = false;
  /** An empty address is a refused form (`msg_trait_required`), as in every self-service form. */
  readonly reportsMissingFields = true;

  constructor(private readonly outbox: EmailOutbox) {}

  prompt(): AuthenticatorPrompt {
    return EMAIL_PROMPT;
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const address = normaliseIdentifier(params[EMAIL_PARAM] ?? '');
    if (address === '') {
      const required: FlowMessage = {
        type: 'ERROR',
        messageId: 'msg_trait_required',
        message: `${EMAIL_PARAM}: is required`,
        i18nKey: 'message.msg_trait_required',
        context: [{ key: 'field', value: EMAIL_PARAM }],
      };
      return { outcome: 'failure', message: required };
    }
    // The same work for every address (docs/self-service.md, "Timing"): whether the address has an account
    // is not looked at before the answer, so neither the answer nor its time can tell.
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    const state: RecoveryCodeState = { pending: { codeHash: hashCode(code), expiresAt, attempts: 0 }, address };
    const { project, flow } = context;
    const job: RecoveryCodeJob = { projectSlug: project.slug, flowId: flow.id, code };
    return {
      outcome: 'success',
      amr: [],
      next: {
        stepState: { [RECOVERY_CODE]: state },
        expiresAt: new Date(expiresAt),
        messages: [SelfServiceMessages.recoveryCodeSent()],
      },
      effects: async (tx) => {
        await this.outbox.enqueueJob(tx, {
          projectId: project.id,
          kind: RECOVERY_CODE_JOB,
          to: address,
          payload: { ...job },
          idempotencyKey: `recovery-request:${flow.id}`,
        });
      },
    };
  }
}

/**
 * Recovery's second step: the code mailed to the address proves the mailbox (the address is marked
 * verified with the step) and opens a privileged window, the flow's new lifetime, for the new password.
 */
@Injectable()
export class RecoveryCodeOption implements Authenticator {
  readonly name = CODE_META.name;
  readonly idp = CODE_META.idp;
  readonly displayName = CODE_META.displayName;
  readonly i18nKey = CODE_META.i18nKey;
  readonly flowTypes = ['RECOVERY'] as const;
  readonly requiresInitiation = false;

  constructor(private readonly identities: IdentitiesRepository) {}

  prompt(): AuthenticatorPrompt {
    return CODE_PROMPT;
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    // A code of only spaces or dashes is a missing param (FLW-60003), never a counted guess.
    requireParams(params, [CODE_PARAM], normaliseCode);
    const { flow } = context;
    const state = recoveryCodeStateOf(flow);
    const answer = answerCode(state, params[CODE_PARAM] ?? '', flow.identityId !== null);
    if (answer.kind === 'expired') return { outcome: 'terminal', message: SelfServiceMessages.codeExpired() };
    if (answer.kind === 'dead') return { outcome: 'terminal', message: SelfServiceMessages.tooManyAttempts() };
    if (answer.kind === 'retry') {
      return {
        outcome: 'failure',
        message: SelfServiceMessages.invalidCode(answer.remaining),
        stepState: answer.state,
      };
    }
    const identityId = flow.identityId as string;
    const privilegedUntil = Date.now() + PRIVILEGED_WINDOW_MS;
    const privilege: RecoveryPrivilege = { address: state.address, privilegedUntil };
    return {
      outcome: 'success',
      identityId,
      amr: RECOVERY_AMR,
      next: {
        stepState: { privilege },
        expiresAt: new Date(privilegedUntil),
        messages: [SelfServiceMessages.chooseNewPassword()],
      },
      effects: async (tx) => {
        await this.identities.markAddressVerified(tx, identityId, 'email', state.address);
      },
    };
  }
}

function recoveryCodeStateOf(flow: Pick<FlowRecord, 'stepState'>): RecoveryCodeState {
  return flow.stepState[RECOVERY_CODE] as RecoveryCodeState;
}
