import type { FlowMessage } from '@keyway/flow-types';

const info = (id: string, message: string, context?: FlowMessage['context']): FlowMessage => ({
  type: 'INFO',
  messageId: id,
  message,
  i18nKey: `message.${id}`,
  ...(context ? { context } : {}),
});

const error = (id: string, message: string, context?: FlowMessage['context']): FlowMessage => ({
  type: 'ERROR',
  messageId: id,
  message,
  i18nKey: `message.${id}`,
  ...(context ? { context } : {}),
});

/**
 * Messages of the settings flow, in the login flow's format (documented in docs/errors.md). In the domain, like
 * SelfServiceMessages, so that the methods whose options serve settings can use them (methods may not import flows).
 */
export const SettingsMessages = {
  /** The session signed in too long ago for a settings change: prove it is still the user. */
  reauthenticationRequired: (): FlowMessage =>
    info('msg_reauthentication_required', 'Confirm it is you to change your settings.'),
  reauthenticated: (): FlowMessage => info('msg_reauthenticated', 'Thanks, you can change your settings now.'),
  /** Wrong password at re-authentication; counted like a login's (context remainingAttempts). */
  invalidPassword: (remainingAttempts: string | undefined): FlowMessage =>
    error(
      'msg_invalid_password',
      'Invalid password.',
      remainingAttempts !== undefined ? [{ key: 'remainingAttempts', value: remainingAttempts }] : undefined,
    ),
  /** No factor the flow can re-authenticate with (no password, no passkey): a fresh sign-in is the way. */
  reauthenticationUnavailable: (): FlowMessage =>
    error('msg_reauthentication_unavailable', 'Sign in again to change your settings.'),
  profileUpdated: (fields: string[]): FlowMessage =>
    info('msg_profile_updated', 'Your profile was updated.', [{ key: 'fields', value: fields.join(',') }]),
  /** A new email address in the profile: its code went to it; answer it at the verification flow named in the context. */
  verificationCodeSent: (field: string, verificationFlowId: string): FlowMessage =>
    info(
      'msg_verification_code_sent',
      'We sent a verification code to the new address. Enter it to verify the address.',
      [
        { key: 'field', value: field },
        { key: 'verificationFlowId', value: verificationFlowId },
      ],
    ),
  /** Says which field, never which account holds the value. */
  identifierTaken: (field: string): FlowMessage =>
    error('msg_identifier_taken', `${field}: cannot be used for this account`, [{ key: 'field', value: field }]),
  passwordChanged: (): FlowMessage =>
    info('msg_password_changed', 'Your password was changed. Your other sessions were signed out.'),
  totpEnrolled: (): FlowMessage => info('msg_totp_enrolled', 'Your authenticator app is set up.'),
  totpRemoved: (): FlowMessage => info('msg_totp_removed', 'Your authenticator app was removed.'),
  invalidTotp: (): FlowMessage => error('msg_invalid_totp', 'Invalid verification code.'),
  passkeyAdded: (): FlowMessage => info('msg_passkey_added', 'Your passkey was added.'),
  passkeyRemoved: (): FlowMessage => info('msg_passkey_removed', 'Your passkey was removed.'),
  passkeyNotFound: (): FlowMessage =>
    error('msg_passkey_not_found', 'No passkey with this id is registered.', [{ key: 'field', value: 'credentialId' }]),
  passkeyRegistrationFailed: (reason: string): FlowMessage =>
    error(
      'msg_passkey_registration_failed',
      `The passkey could not be added (${reason}). Select Add passkey to try again.`,
    ),
  passkeyLimit: (max: number): FlowMessage =>
    error('msg_passkey_limit', `At most ${max} passkeys can be registered; remove one first.`),
  /** The last way to sign in cannot be removed (an identity without a password keeps one passkey). */
  lastSignInMethod: (): FlowMessage =>
    error('msg_last_sign_in_method', 'This is your only way to sign in; add a password or another passkey first.'),
  /** The profile update would leave the password without an identifier to sign in with, and there is no passkey. */
  lastSignInIdentifier: (field: string): FlowMessage =>
    error('msg_last_sign_in_method', `${field}: this is what you sign in with; add a passkey or keep a value here.`, [
      { key: 'field', value: field },
    ]),
  backupCodesGenerated: (count: number): FlowMessage =>
    info(
      'msg_backup_codes_generated',
      'New backup codes were generated; the old ones no longer work. They are shown only once.',
      [{ key: 'count', value: String(count) }],
    ),
  totpAlreadyEnrolled: (): FlowMessage => error('msg_totp_already_enrolled', 'An authenticator app is already set up.'),
  connectionLinked: (name: string): FlowMessage =>
    info('msg_connection_linked', `You can now sign in with your ${name} account.`, [
      { key: 'connection', value: name },
    ]),
  /** The account has another account at this connection already: unlink it first. */
  connectionAlreadyLinked: (name: string): FlowMessage =>
    error('msg_connection_already_linked', `Another ${name} account is linked already; unlink it first.`, [
      { key: 'connection', value: name },
    ]),
  /** The provider's account signs in to another account of this project. */
  providerAccountInUse: (name: string): FlowMessage =>
    error('msg_connection_account_in_use', `This ${name} account is linked to another account.`, [
      { key: 'connection', value: name },
    ]),
  connectionUnlinked: (name: string): FlowMessage =>
    info('msg_connection_unlinked', `Your ${name} account is no longer linked.`, [{ key: 'connection', value: name }]),
  connectionNotLinked: (): FlowMessage =>
    error('msg_connection_not_linked', 'No account at this connection is linked.', [
      { key: 'field', value: 'connectionId' },
    ]),
  /** Unlinking would leave no password, passkey or other linked account. */
  lastLinkedAccount: (): FlowMessage =>
    error(
      'msg_last_sign_in_method',
      'This linked account is your only way to sign in; add a password or a passkey first.',
    ),
} as const;
