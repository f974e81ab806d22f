import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { AuditService } from '../../domain/audit/audit.service';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { NEW_PASSWORD_PROMPT, readNewPassword } from './new-password';

/**
 * Settings: a new password (the policy of registration and recovery), or a first one for an identity whose
 * traits give login identifiers. It commits with the `settings.password_changed` hooks (flows/hooks): every
 * other session and its refresh tokens revoked (the flow's own stays), and a notice to the identity's email.
 */
@Injectable()
export class ChangePassword implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.changePassword;
  readonly idp = 'LOCAL';
  readonly displayName = 'Change password';
  readonly i18nKey = 'action.password.change';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;
  /** A missing or weak password is answered on its field. */
  readonly reportsMissingFields = true;

  constructor(
    private readonly accounts: FlowAccounts,
    private readonly identities: IdentitiesRepository,
    private readonly hasher: PasswordHasher,
    private readonly hooks: AfterFlowHooks,
    private readonly audit: AuditService,
  ) {}

  async isOffered({ project, flow }: AuthenticatorContext): Promise<boolean> {
    const account = await this.accounts.of(project.id, flow);
    return account.hasPassword || account.schema.identifiersOf(account.traits).length > 0;
  }

  prompt(): AuthenticatorPrompt {
    return NEW_PASSWORD_PROMPT;
  }

  async authenticate(
    { project, application, flow }: AuthenticatorContext,
    params: Record<string, string>,
  ): Promise<AuthenticationResult> {
    const form = readNewPassword(params);
    if (!form.ok) return { outcome: 'failure', message: form.messages[0] };
    const account = await this.accounts.of(project.id, flow);
    // Hashed before the transaction: argon2id takes tens of milliseconds that no lock should wait for.
    const passwordHash = await this.hasher.hash(form.password);
    const hooks = await this.hooks.prepare('settings.password_changed', {
      project,
      flow,
      identityId: account.id,
      at: new Date(),
      identity: account,
      email: account.schema.verifiableAddressesOf(account.traits).find(({ via }) => via === 'email')?.value,
      keepSessionId: flow.authRequest.sessionId ?? '',
    });
    let revokedSessions = 0;
    return {
      outcome: 'success',
      identityId: account.id,
      amr: [],
      next: { messages: [SettingsMessages.passwordChanged()] },
      effects: async (tx) => {
        const identifiers = account.schema.identifiersOf(account.traits);
        await this.identities.setPassword(tx, project.id, account.id, passwordHash, identifiers);
        revokedSessions = (await hooks.run(tx)).revokedSessions ?? 0;
      },
      // Only an identity getting its first password can collide: its identifiers are someone else's logins.
      refusedBy: async (error) => (isUniqueViolation(error) ? [SelfServiceMessages.identifierTaken()] : undefined),
      afterCommit: () =>
        this.audit.record('password.changed', {
          projectId: project.id,
          identityId: account.id,
          clientId: application.clientId,
          data: { revokedSessions, via: 'settings' },
        }),
    };
  }
}
