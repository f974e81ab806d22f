import { Injectable } from '@nestjs/common';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../../flows/authenticator';
import { FlowMessages } from '../../flows/flow-messages';
import { LockoutService, type AttemptSubject } from '../../lockout/lockout.service';
import { TotpService } from '../../totp/totp.service';

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [{ param: 'token', type: 'STRING', order: 0, i18nKey: 'totp.authenticator', displayName: 'Token', confidential: false }],
  requiredParams: ['token'],
};

/**
 * TOTP (RFC 6238) as a second factor: verifies a code for the identity the previous step established.
 * Wrong and replayed codes count against the identity's 'totp' failures; a code is accepted only once.
 */
@Injectable()
export class TotpAuthenticator implements Authenticator {
  readonly name = 'totp';
  readonly idp = 'LOCAL';
  readonly displayName = 'TOTP';
  readonly i18nKey = 'authenticator.totp';
  readonly requiresInitiation = false;
  readonly requiresIdentity = true;

  constructor(
    private readonly totp: TotpService,
    private readonly lockout: LockoutService,
  ) {}

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate({ project, flow }: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    // Configuration validation keeps TOTP out of first steps; a flow stored before that (or edited in the
    // database) must still end cleanly rather than verify a code for nobody.
    if (!flow.identityId) return { outcome: 'terminal', message: FlowMessages.noPriorIdentity() };
    const login = await this.totp.findLogin(flow.identityId);
    if (!login || login.identity.projectId !== project.id) return { outcome: 'terminal', message: FlowMessages.totpNotEnrolled() };

    const subject: AttemptSubject = { kind: 'identity', identityId: login.identity.id, lockedUntil: login.identity.lockedUntil };
    const attempts = await this.lockout.state(project.id, subject, 'totp');
    if (attempts.locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    const outcome = await this.totp.attempt(login.credential, (params['token'] ?? '').trim());
    if (outcome !== 'accepted') {
      const { remainingAttempts, locked } = await this.lockout.recordFailure(project.id, subject, 'totp', project.settings.lockout);
      if (locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };
      return { outcome: 'failure', message: outcome === 'replayed' ? FlowMessages.reusedTotp(remainingAttempts) : FlowMessages.invalidTotp(remainingAttempts) };
    }

    await this.lockout.recordSuccess(project.id, subject, 'totp', attempts);
    if (login.identity.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    return { outcome: 'success', identityId: login.identity.id, amr: ['otp'] };
  }
}
