import { Injectable } from '@nestjs/common';
import { encodeAuthenticatorId, SELF_SERVICE_ACTIONS, type AuthenticatorOption } from '@keyway/flow-types';
import type { FlowRecord } from '../../domain/flows/flow';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { requireParams } from '../../domain/flows/step-params';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { checkCode, MAX_CODE_ATTEMPTS, normaliseCode, type PendingCode } from '../../infra/crypto/one-time-code';
import {
  describeOption,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';
import type { PendingLink } from './verification-link';

/** The option's name (its authenticatorId is base64url(`${name}:LOCAL`), as registration's code step shows it). */
export const EMAIL_CODE_VERIFICATION = SELF_SERVICE_ACTIONS.emailCodeVerification;

/** The param that carries the code. */
const CODE_PARAM = 'code';

export const EMAIL_CODE_ID = encodeAuthenticatorId(EMAIL_CODE_VERIFICATION, 'LOCAL');
const DISPLAY_NAME = 'Email verification code';
const I18N_KEY = 'action.email.verification';

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [
    {
      param: CODE_PARAM,
      type: 'STRING',
      order: 0,
      i18nKey: 'param.verification.code',
      displayName: 'Verification code',
      confidential: false,
    },
  ],
  requiredParams: [CODE_PARAM],
};

/**
 * The option as a step offers it, for the flows that still build their steps by hand (registration's code step
 * and the verification flow's first answer show exactly what the engine shows for this option).
 */
export function codeOption(): AuthenticatorOption {
  return describeOption(
    { name: EMAIL_CODE_VERIFICATION, idp: 'LOCAL', displayName: DISPLAY_NAME, i18nKey: I18N_KEY },
    PROMPT,
  );
}

/**
 * What a verification flow keeps under this option's name: the address, the code's hash (the code itself
 * only ever travels in the mail), and for a hosted flow the mailed link's hash.
 */
export interface EmailVerificationState {
  email: string;
  pending: PendingCode;
  link?: PendingLink;
}

/** The step state a new verification flow starts with. */
export function emailVerificationStepState(state: EmailVerificationState): Record<string, unknown> {
  return { [EMAIL_CODE_VERIFICATION]: state };
}

export function emailVerificationStateOf(flow: Pick<FlowRecord, 'stepState'>): EmailVerificationState | undefined {
  return flow.stepState[EMAIL_CODE_VERIFICATION] as EmailVerificationState | undefined;
}

/**
 * The email-code method's option in verification flows: the code mailed to the address proves control of
 * the mailbox, and the address is marked verified with the step. The flow is bound to the address's owner
 * only when a mail was sent (after the start was answered, by an outbox job), so an unbound flow's code step
 * fails exactly like a mistyped code: the answers never tell whether the address has an account.
 */
@Injectable()
export class EmailCodeVerification implements Authenticator {
  readonly name = EMAIL_CODE_VERIFICATION;
  readonly idp = 'LOCAL';
  readonly displayName = DISPLAY_NAME;
  readonly i18nKey = I18N_KEY;
  /** Verification's one step, and registration's second (the address the form named). */
  readonly flowTypes = ['VERIFICATION', 'REGISTRATION'] as const;
  readonly requiresInitiation = false;

  constructor(private readonly identities: IdentitiesRepository) {}

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    // A code of only spaces or dashes is a missing param (FLW-60003), never a counted guess.
    requireParams(params, [CODE_PARAM], normaliseCode);
    const state = emailVerificationStateOf(context.flow);
    if (!state) throw new Error(`${context.flow.type} flow ${context.flow.id} has no code to check`);
    const result = checkCode(state.pending, params[CODE_PARAM] ?? '');
    if (result === 'expired') return { outcome: 'terminal', message: SelfServiceMessages.codeExpired() };
    const identityId = context.flow.identityId;
    if (result === 'invalid' || !identityId) {
      const attempts = state.pending.attempts + 1;
      const remaining = MAX_CODE_ATTEMPTS - attempts;
      if (remaining <= 0) return { outcome: 'terminal', message: SelfServiceMessages.tooManyAttempts() };
      const stepState: EmailVerificationState = { ...state, pending: { ...state.pending, attempts } };
      return { outcome: 'failure', message: SelfServiceMessages.invalidCode(remaining), stepState };
    }
    return {
      outcome: 'success',
      identityId,
      amr: [],
      effects: async (tx) => {
        await this.identities.markAddressVerified(tx, identityId, 'email', state.email);
      },
    };
  }
}
