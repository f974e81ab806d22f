import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS, type AuthenticatorParam } from '@keyway/flow-types';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import {
  perFlow,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService, type PasskeyView } from './passkeys.service';
import { decodeRegistrationResponse, encodeCreationChallenge, newRequestId } from './token-response';

const TOKEN_RESPONSE_PARAM = 'tokenResponse';
const NAME_PARAM = 'name';
const CREDENTIAL_ID_PARAM = 'credentialId';
const MAX_PASSKEY_NAME = 100;

const param = (name: string, i18nKey: string, displayName: string): AuthenticatorParam => ({
  param: name,
  type: 'STRING',
  order: 0,
  i18nKey,
  displayName,
  confidential: false,
});

/** A registration waiting for its answer; its challenge itself lives on the webauthn credential. */
const RegistrationState = z.object({ requestId: z.string(), challengeData: z.string() });

/**
 * Settings: adds a passkey. Selected, it makes creation options (the challenge is kept on the credential);
 * the app answers with the ceremony's result and an optional name. Offered below the per-identity maximum.
 */
@Injectable()
export class AddPasskey implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.addPasskey;
  readonly idp = 'LOCAL';
  readonly displayName = 'Add passkey';
  readonly i18nKey = 'action.passkey.add';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = true;
  private readonly passkeysOf: (context: AuthenticatorContext) => Promise<PasskeyView[]>;

  constructor(
    private readonly passkeys: PasskeysService,
    private readonly accounts: FlowAccounts,
    private readonly audit: AuditService,
  ) {
    this.passkeysOf = perFlow(({ flow }) => this.passkeys.list(flow.identityId as string));
  }

  async isOffered(context: AuthenticatorContext): Promise<boolean> {
    return (await this.passkeysOf(context)).length < MAX_PASSKEYS_PER_IDENTITY;
  }

  async initiate({ project, flow }: AuthenticatorContext) {
    const account = await this.accounts.of(project.id, flow);
    const options = await this.passkeys.registrationOptions(project, { id: account.id, traits: account.traits });
    if (options === 'limit') return { refused: SettingsMessages.passkeyLimit(MAX_PASSKEYS_PER_IDENTITY) };
    const requestId = newRequestId();
    return { stepState: { requestId, challengeData: encodeCreationChallenge(requestId, options) } };
  }

  prompt(context: AuthenticatorContext): AuthenticatorPrompt {
    const pending = this.pending(context);
    return {
      promptType: 'INTERNAL_PROMPT',
      params: [param(NAME_PARAM, 'param.passkey.name', 'Passkey name')],
      ...(pending ? { additionalData: { challengeData: pending.challengeData } } : {}),
      requiredParams: [TOKEN_RESPONSE_PARAM],
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    const identityId = flow.identityId as string;
    const pending = this.pending(context);
    const answer = decodeRegistrationResponse(params[TOKEN_RESPONSE_PARAM] ?? '');
    const failed = (reason: string, spent = true): AuthenticationResult => ({
      outcome: 'failure',
      message: SettingsMessages.passkeyRegistrationFailed(reason),
      // The challenge is spent by any answer the server verified: a new attempt starts by selecting the action again.
      ...(spent ? { stepState: null } : {}),
    });
    if (!answer) return failed('malformed tokenResponse', false);
    if (!pending || answer.requestId !== pending.requestId)
      return failed('requestId does not match the current challenge', false);
    const name = params[NAME_PARAM]?.trim().slice(0, MAX_PASSKEY_NAME) || undefined;
    const result = await this.passkeys.register(project, identityId, answer.credential, name);
    switch (result.outcome) {
      case 'registered':
        return {
          outcome: 'success',
          identityId,
          amr: [],
          next: { messages: [SettingsMessages.passkeyAdded()] },
          afterCommit: () =>
            this.audit.record('passkey.registered', {
              projectId: project.id,
              identityId,
              clientId: application.clientId,
              data: { passkeyId: result.passkey.id, via: 'settings' },
            }),
        };
      case 'limit':
        return {
          outcome: 'failure',
          message: SettingsMessages.passkeyLimit(MAX_PASSKEYS_PER_IDENTITY),
          stepState: null,
        };
      case 'not-pending':
        return failed('the challenge expired');
      case 'duplicate':
        return failed('this passkey is already registered');
      case 'invalid':
        return failed(result.reason);
    }
  }

  private pending({ flow }: AuthenticatorContext): z.infer<typeof RegistrationState> | undefined {
    const state = RegistrationState.safeParse(flow.stepState[this.name]);
    return state.success ? state.data : undefined;
  }
}

/**
 * Settings: removes one of the identity's passkeys (listed in additionalData, without keys or counters). An
 * identity without a password keeps its last one: it is how it signs in.
 */
@Injectable()
export class RemovePasskey implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.removePasskey;
  readonly idp = 'LOCAL';
  readonly displayName = 'Remove passkey';
  readonly i18nKey = 'action.passkey.remove';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;
  private readonly passkeysOf: (context: AuthenticatorContext) => Promise<PasskeyView[]>;

  constructor(
    private readonly passkeys: PasskeysService,
    private readonly accounts: FlowAccounts,
    private readonly audit: AuditService,
  ) {
    this.passkeysOf = perFlow(({ flow }) => this.passkeys.list(flow.identityId as string));
  }

  async isOffered(context: AuthenticatorContext): Promise<boolean> {
    return (await this.passkeysOf(context)).length > 0;
  }

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const passkeys = (await this.passkeysOf(context)).map(({ id, name, createdAt, lastUsedAt }) => ({
      id,
      name,
      createdAt,
      lastUsedAt,
    }));
    return {
      promptType: 'USER_PROMPT',
      params: [param(CREDENTIAL_ID_PARAM, 'param.passkey.credentialId', 'Passkey')],
      requiredParams: [CREDENTIAL_ID_PARAM],
      additionalData: { passkeys: JSON.stringify(passkeys) },
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    const account = await this.accounts.of(project.id, flow);
    const passkeyId = params[CREDENTIAL_ID_PARAM] ?? '';
    const passkeys = await this.passkeys.list(account.id);
    if (!passkeys.some(({ id }) => id === passkeyId))
      return { outcome: 'failure', message: SettingsMessages.passkeyNotFound() };
    // An identity without a usable password (none, or no identifier left to sign in with) keeps its last passkey.
    if (account.passwordIdentifier === undefined && passkeys.length === 1)
      return { outcome: 'failure', message: SettingsMessages.lastSignInMethod() };
    if (!(await this.passkeys.remove(account.id, passkeyId)))
      return { outcome: 'failure', message: SettingsMessages.passkeyNotFound() };
    return {
      outcome: 'success',
      identityId: account.id,
      amr: [],
      next: { messages: [SettingsMessages.passkeyRemoved()] },
      afterCommit: () =>
        this.audit.record('passkey.removed', {
          projectId: project.id,
          identityId: account.id,
          clientId: application.clientId,
          data: { passkeyId, via: 'settings' },
        }),
    };
  }
}
