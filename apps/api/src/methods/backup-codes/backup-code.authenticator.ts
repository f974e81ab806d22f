import { Injectable } from '@nestjs/common';
import { BackupCodesService } from './backup-codes.service';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { LockoutService, type AttemptSubject } from '../../domain/lockout/lockout.service';

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  // Confidential: unlike a TOTP code, a backup code stays valid until used, so apps should mask it.
  params: [
    {
      param: 'code',
      type: 'STRING',
      order: 0,
      i18nKey: 'backup.code.param',
      displayName: 'Backup code',
      confidential: true,
    },
  ],
  requiredParams: ['code'],
};

/**
 * One-time backup codes as a second factor, for users without their authenticator app or passkey.
 * Offered automatically wherever TOTP or a passkey is a step, when the identity has unused codes;
 * each code is accepted once, and failures count against the identity's 'backup_code' attempts.
 *
 * amr is RFC 8176 "otp": a backup code is a one-time password (NIST SP 800-63B calls it a look-up
 * secret, something you have); RFC 8176 has no closer value ("kba" means knowledge questions).
 */
@Injectable()
export class BackupCodeAuthenticator implements Authenticator {
  readonly name = 'backup-code-authenticator';
  readonly idp = 'LOCAL';
  readonly displayName = 'Backup code';
  readonly i18nKey = 'authenticator.backup.code';
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['otp'] as const;
  readonly requiresInitiation = false;
  readonly requiresIdentity = true;
  /** Keyed by name: the passkey authenticator is FIDOAuthenticator, as in the wire format. */
  readonly offeredAlongside = ['totp', 'FIDOAuthenticator'] as const;

  constructor(
    private readonly backupCodes: BackupCodesService,
    private readonly lockout: LockoutService,
  ) {}

  async isAvailable({ flow }: AuthenticatorContext): Promise<boolean> {
    return flow.identityId !== null && (await this.backupCodes.hasUnused(flow.identityId));
  }

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate(
    { project, flow }: AuthenticatorContext,
    params: Record<string, string>,
  ): Promise<AuthenticationResult> {
    if (!flow.identityId) return { outcome: 'terminal', message: FlowMessages.noPriorIdentity() };
    const login = await this.backupCodes.findLogin(flow.identityId);
    if (!login || login.identity.projectId !== project.id)
      return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };

    const subject: AttemptSubject = {
      kind: 'identity',
      identityId: login.identity.id,
      lockedUntil: login.identity.lockedUntil,
    };
    const attempt = await this.lockout.reserve(project.id, subject, 'backup_code', project.settings.lockout);
    if (!attempt.granted) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    const outcome = await this.backupCodes.consume(login.credential, params['code'] ?? '');
    if (outcome !== 'accepted') {
      const { remainingAttempts, locked } = await attempt.failed();
      if (locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };
      return {
        outcome: 'failure',
        message:
          outcome === 'used'
            ? FlowMessages.usedBackupCode(remainingAttempts)
            : FlowMessages.invalidBackupCode(remainingAttempts),
      };
    }

    await attempt.succeeded();
    if (login.identity.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    return { outcome: 'success', identityId: login.identity.id, amr: ['otp'] };
  }
}
