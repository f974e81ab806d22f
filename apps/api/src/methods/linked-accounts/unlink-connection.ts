import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { AuditService } from '../../domain/audit/audit.service';
import { CONNECTION_PRESETS_TABLE } from '../../domain/connections/connection-presets';
import { ConnectionsService, type LinkedAccount } from '../../domain/connections/connections.service';
import { FederatedIdentities } from '../../domain/federation/federated-identities';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import {
  perFlow,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';

const CONNECTION_ID_PARAM = 'connectionId';

/**
 * Settings: unlinks one of the identity's accounts at the project's connections (listed in additionalData, as
 * RemovePasskey lists passkeys). The last way to sign in stays: the check and the write are one transaction in
 * the federation repository, so two unlinks at once cannot both remove "the other" one.
 */
@Injectable()
export class UnlinkConnection implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.unlinkConnection;
  readonly idp = 'LOCAL';
  readonly displayName = 'Unlink account';
  readonly i18nKey = 'action.connection.unlink';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;
  private readonly accountsOf: (context: AuthenticatorContext) => Promise<LinkedAccount[]>;

  constructor(
    private readonly connections: ConnectionsService,
    private readonly federated: FederatedIdentities,
    private readonly audit: AuditService,
  ) {
    this.accountsOf = perFlow(({ project, flow }) =>
      this.connections.linkedAccounts(project.id, flow.identityId as string),
    );
  }

  async isOffered(context: AuthenticatorContext): Promise<boolean> {
    return (await this.accountsOf(context)).length > 0;
  }

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    // The provider's subject stays out: the user knows the account by its provider, and apps need no more.
    const connections = (await this.accountsOf(context)).map(({ connectionId, connectionName, preset, linkedAt }) => ({
      connectionId,
      name: connectionName,
      displayName: CONNECTION_PRESETS_TABLE[preset].displayName,
      linkedAt,
    }));
    return {
      promptType: 'USER_PROMPT',
      params: [
        {
          param: CONNECTION_ID_PARAM,
          type: 'STRING',
          order: 0,
          i18nKey: 'param.connection.connectionId',
          displayName: 'Linked account',
          confidential: false,
        },
      ],
      requiredParams: [CONNECTION_ID_PARAM],
      additionalData: { connections: JSON.stringify(connections) },
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    const identityId = flow.identityId as string;
    const connectionId = params[CONNECTION_ID_PARAM] ?? '';
    // Read again, not from the prompt's cache: the link may have gone since.
    const account = (await this.connections.linkedAccounts(project.id, identityId)).find(
      (linked) => linked.connectionId === connectionId,
    );
    if (!account) return { outcome: 'failure', message: SettingsMessages.connectionNotLinked() };
    switch (await this.federated.unlink(project.id, identityId, connectionId)) {
      case 'not-linked':
        return { outcome: 'failure', message: SettingsMessages.connectionNotLinked() };
      case 'last-method':
        return { outcome: 'failure', message: SettingsMessages.lastLinkedAccount() };
      case 'unlinked':
        return {
          outcome: 'success',
          identityId,
          amr: [],
          next: { messages: [SettingsMessages.connectionUnlinked(account.connectionName)] },
          afterCommit: () =>
            this.audit.record('linked_account.removed', {
              projectId: project.id,
              identityId,
              clientId: application.clientId,
              data: { connectionId, connection: account.connectionName, via: 'settings' },
            }),
        };
    }
  }
}
