import type { FlowMessage } from '@keyway/flow-types';

/** The flow's user-facing messages, with WSO2's message ids and i18n keys. */
export const FlowMessages = {
  invalidCredentials: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_un_pw',
    message: 'Invalid username or password.',
    i18nKey: 'message.msg_invalid_un_pw',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  invalidTotp: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_totp',
    message: 'Invalid verification code.',
    i18nKey: 'message.msg_invalid_totp',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  /** The code was right but already used: the user should wait for the next one. */
  reusedTotp: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_totp_reused',
    message: 'This verification code has already been used. Wait for the next code.',
    i18nKey: 'message.msg_totp_reused',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  totpNotEnrolled: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_totp_not_enrolled',
    message: 'This account has no authenticator app set up, which this login requires.',
    i18nKey: 'message.msg_totp_not_enrolled',
  }),
  /** A second factor was asked for before any step established who is signing in (misconfigured flow). */
  noPriorIdentity: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_prior_step_required',
    message: 'This step needs a previous step to identify the user. The login flow is misconfigured.',
    i18nKey: 'message.msg_prior_step_required',
  }),
  accountLocked: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_account_locked',
    message: 'The account is locked after too many failed attempts. Try again later.',
    i18nKey: 'message.msg_account_locked',
  }),
  tooManyAttempts: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_too_many_attempts',
    message: 'Too many failed attempts in this login. Start again.',
    i18nKey: 'message.msg_too_many_attempts',
  }),
  accountUnavailable: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_account_unavailable',
    message: 'This account cannot sign in.',
    i18nKey: 'message.msg_account_unavailable',
  }),
  identityMismatch: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_identity_mismatch',
    message: 'This step must be completed by the user who completed the previous steps.',
    i18nKey: 'message.msg_identity_mismatch',
  }),
} as const;
