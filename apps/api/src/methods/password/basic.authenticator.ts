import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { MAX_PASSWORD_LENGTH, normaliseIdentifier } from '../../domain/schemas/identity-traits';
import type { AttemptSubject } from '../../domain/lockout/lockout.service';
import { LockoutService } from '../../domain/lockout/lockout.service';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { FlowMessages } from '../../domain/flows/flow-messages';

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [
    {
      param: 'username',
      type: 'STRING',
      order: 0,
      i18nKey: 'username.param',
      displayName: 'Username',
      confidential: false,
    },
    {
      param: 'password',
      type: 'STRING',
      order: 1,
      i18nKey: 'password.param',
      displayName: 'Password',
      confidential: true,
    },
  ],
  requiredParams: ['username', 'password'],
};

/**
 * Username & password (argon2id). Unknown usernames answer exactly like wrong passwords — same message,
 * same remainingAttempts arithmetic, same lock, and the same argon2 work (a decoy verification).
 */
@Injectable()
export class BasicAuthenticator implements Authenticator {
  readonly name = 'BasicAuthenticator';
  readonly idp = 'LOCAL';
  readonly displayName = 'Username & Password';
  readonly i18nKey = 'authenticator.basic';
  /** Login steps; settings' re-authentication wraps it (PasswordReauthentication). */
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['pwd'] as const;
  readonly requiresInitiation = false;

  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
  ) {}

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate({ project }: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const identifier = normaliseIdentifier(params['username'] ?? '');
    const password = (params['password'] ?? '').slice(0, MAX_PASSWORD_LENGTH + 1);
    const login = await this.identities.findPasswordLogin(project.id, identifier);
    const subject: AttemptSubject = login
      ? { kind: 'identity', identityId: login.identity.id, lockedUntil: login.identity.lockedUntil }
      : { kind: 'identifier', identifier };

    // Counted before the (expensive) check, so concurrent guesses cannot overrun the limit.
    const attempt = await this.lockout.reserve(project.id, subject, 'password', project.settings.lockout);
    if (!attempt.granted) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    const valid = login
      ? await this.hasher.verify(login.passwordHash, password)
      : await this.hasher.verifyDecoy(password);
    if (!valid || !login) {
      const { remainingAttempts, locked } = await attempt.failed();
      return locked
        ? { outcome: 'terminal', message: FlowMessages.accountLocked() }
        : { outcome: 'failure', message: FlowMessages.invalidCredentials(remainingAttempts) };
    }

    await attempt.succeeded();
    if (login.identity.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    if (this.hasher.needsRehash(login.passwordHash)) {
      await this.identities.updatePasswordHash(login.credentialId, await this.hasher.hash(password));
    }
    return { outcome: 'success', identityId: login.identity.id, amr: ['pwd'] };
  }
}
