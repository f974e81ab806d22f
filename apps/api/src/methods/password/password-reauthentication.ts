import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { settleReauthentication } from '../reauthentication';
import { BasicAuthenticator } from './basic.authenticator';
import { PASSWORD_PARAM } from './new-password';

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [
    {
      param: PASSWORD_PARAM,
      type: 'STRING',
      order: 0,
      i18nKey: 'param.password',
      displayName: 'Password',
      confidential: true,
    },
  ],
  requiredParams: [PASSWORD_PARAM],
};

/**
 * Settings' re-authentication with the password, checked by the login's BasicAuthenticator (the same lockout
 * counters as login) for one of the identity's own login identifiers: the user gives only the password.
 */
@Injectable()
export class PasswordReauthentication implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.passwordReauthentication;
  readonly idp = 'LOCAL';
  readonly displayName = 'Password';
  readonly i18nKey = 'action.password.reauthentication';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;

  constructor(
    private readonly basic: BasicAuthenticator,
    private readonly accounts: FlowAccounts,
    private readonly sessions: SessionsRepository,
  ) {}

  async isOffered({ project, flow }: AuthenticatorContext): Promise<boolean> {
    const account = await this.accounts.of(project.id, flow);
    return account.hasPassword && account.passwordIdentifier !== undefined;
  }

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const account = await this.accounts.of(context.project.id, context.flow);
    // The identity is known: its own identifier stands in for the username the login step asks for.
    const result = await this.basic.authenticate(context, {
      username: account.passwordIdentifier ?? '',
      password: params[PASSWORD_PARAM] ?? '',
    });
    return settleReauthentication(this.sessions, context, result);
  }
}
