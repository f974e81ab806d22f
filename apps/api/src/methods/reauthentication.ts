import { SettingsMessages } from '../domain/flows/settings-messages';
import type { SessionsRepository } from '../domain/sessions/sessions.repository';
import type { AuthenticationResult, AuthenticatorContext } from './authenticator';

/**
 * What a login option's answer means as the settings flow's re-authentication (PasswordReauthentication,
 * PasskeyReauthentication): the login option did the checking, counting and locking exactly as at login; here
 * its success must be the flow's own identity, and it moves the Session row's auth_time to now (adding the
 * methods to its amr), which opens the privileged window for the settings flow and for /me alike.
 */
export async function settleReauthentication(
  sessions: SessionsRepository,
  { flow }: AuthenticatorContext,
  result: AuthenticationResult,
): Promise<AuthenticationResult> {
  if (result.outcome === 'terminal') return result;
  if (result.outcome === 'success' && flow.identityId !== null && result.identityId === flow.identityId) {
    const { sessionId } = flow.authRequest;
    // The session itself may have ended meanwhile (signed out elsewhere): then nothing opens.
    if (!sessionId || !(await sessions.reauthenticate(sessionId, result.amr)))
      return { outcome: 'terminal', message: SettingsMessages.reauthenticationUnavailable() };
    return {
      outcome: 'success',
      identityId: result.identityId,
      amr: result.amr,
      next: { messages: [SettingsMessages.reauthenticated()] },
    };
  }
  if (result.outcome === 'failure') {
    const { message } = result;
    return {
      outcome: 'failure',
      message:
        message.messageId === 'msg_invalid_un_pw'
          ? SettingsMessages.invalidPassword(message.context?.find(({ key }) => key === 'remainingAttempts')?.value)
          : message,
    };
  }
  // Another identity's passkey or identifier answered (or an unexpected continuation): refused, never accepted.
  return { outcome: 'failure', message: SettingsMessages.invalidPassword(undefined) };
}
