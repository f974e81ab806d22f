import type { FlowMessage } from '@keyway/flow-types';

/** Messages of the self-service flows (registration, verification), in the login flow's format. */
export const SelfServiceMessages = {
  /** Shown after the form whether or not an account was created: the same words either way (no enumeration). */
  verificationCodeSent: (): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_verification_code_sent',
    message: 'If this address can be used, we sent a verification code to it. Enter it to finish.',
    i18nKey: 'message.msg_verification_code_sent',
  }),
  invalidCode: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_verification_code',
    message: 'Invalid verification code.',
    i18nKey: 'message.msg_invalid_verification_code',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  codeExpired: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_verification_code_expired',
    message: 'The verification code has expired. Start again.',
    i18nKey: 'message.msg_verification_code_expired',
  }),
  tooManyAttempts: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_too_many_attempts',
    message: 'Too many failed attempts. Start again.',
    i18nKey: 'message.msg_too_many_attempts',
  }),
  /** Only for schemas without a verifiable email: there is no channel to tell the owner instead. */
  identifierTaken: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_identifier_taken',
    message: 'An account with these details cannot be created.',
    i18nKey: 'message.msg_identifier_taken',
  }),
} as const;
