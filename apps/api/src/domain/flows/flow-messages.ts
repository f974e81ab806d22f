import type { FlowMessage } from '@keyway/flow-types';

/** The flow's user-facing messages, with WSO2's message ids and i18n keys. */
export const FlowMessages = {
  /** The project requires a verified email before a login completes (settings.requireVerifiedEmail). */
  emailNotVerified: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_email_not_verified',
    message: 'Verify your email address before signing in.',
    i18nKey: 'message.msg_email_not_verified',
  }),
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
  invalidBackupCode: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_backup_code',
    message: 'Invalid backup code.',
    i18nKey: 'message.msg_invalid_backup_code',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  /** The code was one of the user's, but it has been used: each backup code works once. */
  usedBackupCode: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_backup_code_used',
    message: 'This backup code has already been used. Use another one.',
    i18nKey: 'message.msg_backup_code_used',
    context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }],
  }),
  /** A code was sent for an in-flow TOTP enrollment before the option was selected (which creates the secret). */
  totpEnrollmentNotStarted: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_totp_enrollment_not_started',
    message: 'Select TOTP first to get the secret to add to your authenticator app.',
    i18nKey: 'message.msg_totp_enrollment_not_started',
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
  /**
   * A passkey assertion failed verification (signature, challenge, origin, RP ID, counter, user
   * verification). `remainingAttempts` only when it named a passkey of a known identity: an unknown
   * credential id belongs to nobody whose attempts could be counted.
   */
  invalidPasskey: (remainingAttempts?: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_passkey',
    message: 'The passkey could not be verified. Try again.',
    i18nKey: 'message.msg_invalid_passkey',
    ...(remainingAttempts === undefined
      ? {}
      : { context: [{ key: 'remainingAttempts', value: String(remainingAttempts) }] }),
  }),
  passkeyNotEnrolled: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_passkey_not_enrolled',
    message: 'This account has no passkey, which this login requires.',
    i18nKey: 'message.msg_passkey_not_enrolled',
  }),
  identityMismatch: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_identity_mismatch',
    message: 'This step must be completed by the user who completed the previous steps.',
    i18nKey: 'message.msg_identity_mismatch',
  }),
} as const;
