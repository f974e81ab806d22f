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
  /** Hosted verification, after the address: the same words whether or not a link went out (no enumeration). */
  verificationLinkSent: (): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_verification_link_sent',
    message:
      'If this address belongs to an account that still needs verifying, we sent a link to it. Open it to verify the address; you can close this page.',
    i18nKey: 'message.msg_verification_link_sent',
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
  /** Recovery, after the address: the same words whether or not a code went out (no enumeration). */
  recoveryCodeSent: (): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_recovery_code_sent',
    message: 'If this address belongs to an account, we sent a recovery code to it. Enter it to continue.',
    i18nKey: 'message.msg_recovery_code_sent',
  }),
  /** Recovery, after the code: the flow is privileged for a short while and asks for the new password. */
  chooseNewPassword: (): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_choose_new_password',
    message: 'Choose a new password. Every other session of your account will be signed out.',
    i18nKey: 'message.msg_choose_new_password',
  }),
  /** Only for schemas without a verifiable email: there is no channel to tell the owner instead. */
  identifierTaken: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_identifier_taken',
    message: 'An account with these details cannot be created.',
    i18nKey: 'message.msg_identifier_taken',
  }),
} as const;
