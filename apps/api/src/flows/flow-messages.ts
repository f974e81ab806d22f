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
