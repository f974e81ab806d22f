import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatorOption } from '@keyway/flow-types';
import { AUTHENTICATORS, type AuthenticationResult, type Authenticator } from '../../methods/authenticator';
import { PasskeysService } from '../../methods/passkey/passkeys.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import { asFlowRecord, type SettingsContext, type SettingsOutcome } from './settings-context';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import {
  passkeyReauthenticationPrompt,
  PASSWORD_PARAM,
  reauthenticationOptions,
  SETTINGS_IDS,
  TOKEN_RESPONSE_PARAM,
  type ReauthenticationFactors,
} from './settings-options';
import type { SettingsFlowState } from './settings-steps';

export type ReauthenticationStep =
  { kind: 'options'; options: AuthenticatorOption[] } | (SettingsOutcome & { kind: 'prompt' });

/**
 * Re-authentication inside the settings flow, done by the login's own authenticators so that a wrong
 * password or passkey here is checked, counted and locked exactly as at login (LockoutService through
 * BasicAuthenticator / FIDOAuthenticator): the identity is known, so the password is checked for one of
 * its own login identifiers and the passkey as a second factor over its own passkeys. Success moves the
 * Session row's auth_time to now (and adds the methods to its amr), which opens the privileged window for
 * the settings flow and for /me alike.
 */
@Injectable()
export class SettingsReauthentication {
  private readonly basic: Authenticator;
  private readonly fido: Authenticator;

  constructor(
    @Inject(AUTHENTICATORS) authenticators: Authenticator[],
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionsRepository,
  ) {
    const byName = (name: string) => {
      const found = authenticators.find((authenticator) => authenticator.name === name);
      if (!found) throw new Error(`settings re-authentication needs the ${name} authenticator`);
      return found;
    };
    this.basic = byName('BasicAuthenticator');
    this.fido = byName('FIDOAuthenticator');
  }

  /** The identity's own first factors the flow can check. */
  async factors(context: SettingsContext): Promise<ReauthenticationFactors> {
    const { account } = context;
    const passkey = (await this.passkeys.findByIdentity(account.id)) !== undefined;
    return { password: account.hasPassword && account.passwordIdentifier !== undefined, passkey };
  }

  /**
   * The re-authentication step: its options, or (passkey only) the passkey prompt initiated right away,
   * as the login flow does with a single option that needs initiation. Undefined when there is no factor.
   */
  async step(context: SettingsContext): Promise<ReauthenticationStep | undefined> {
    const factors = await this.factors(context);
    const options = reauthenticationOptions(factors);
    if (options.length === 0) return undefined;
    if (!factors.password) return this.initiatePasskey(context);
    return { kind: 'options', options };
  }

  /** Whether the identity can answer this re-authentication option. */
  async offers(context: SettingsContext, authenticatorId: string): Promise<boolean> {
    const factors = await this.factors(context);
    return (
      (authenticatorId === SETTINGS_IDS.passwordReauthentication && factors.password) ||
      (authenticatorId === SETTINGS_IDS.passkeyReauthentication && factors.passkey)
    );
  }

  async answer(
    context: SettingsContext,
    authenticatorId: string,
    params: Record<string, string>,
  ): Promise<SettingsOutcome> {
    if (authenticatorId === SETTINGS_IDS.passwordReauthentication) {
      // The identity is known: its own identifier stands in for the username the login step asks for.
      const result = await this.basic.authenticate(
        { project: context.project, application: context.application, flow: asFlowRecord(context) },
        { username: context.account.passwordIdentifier ?? '', password: params[PASSWORD_PARAM] ?? '' },
      );
      return this.settle(context, result, undefined);
    }
    if (params[TOKEN_RESPONSE_PARAM] === undefined) return this.initiatePasskey(context);
    const result = await this.fido.authenticate(
      { project: context.project, application: context.application, flow: asFlowRecord(context) },
      params,
    );
    const { FIDOAuthenticator: _spent, ...rest } = context.state;
    // A failed assertion keeps the challenge: the platform may be asked again with the same options.
    return this.settle(context, result, result.outcome === 'success' ? rest : undefined);
  }

  private async initiatePasskey(context: SettingsContext): Promise<SettingsOutcome & { kind: 'prompt' }> {
    const initiated = await this.fido.initiate?.(
      { project: context.project, application: context.application, flow: asFlowRecord(context) },
      { reselected: false },
    );
    const fidoState = initiated && 'stepState' in initiated ? initiated.stepState : undefined;
    const state: SettingsFlowState = { ...context.state, FIDOAuthenticator: fidoState };
    const prompt = await this.fido.prompt({
      project: context.project,
      application: context.application,
      flow: asFlowRecord(context, state),
    });
    return { kind: 'prompt', option: passkeyReauthenticationPrompt(prompt.additionalData), state };
  }

  private async settle(
    context: SettingsContext,
    result: AuthenticationResult,
    state: SettingsFlowState | undefined,
  ): Promise<SettingsOutcome> {
    if (result.outcome === 'terminal') return { kind: 'terminal', messages: [result.message] };
    if (result.outcome === 'success' && result.identityId === context.account.id) {
      // The session itself may have ended meanwhile (signed out elsewhere): then nothing opens.
      if (!(await this.sessions.reauthenticate(context.state.sessionId, result.amr)))
        return { kind: 'terminal', messages: [SettingsMessages.reauthenticationUnavailable()] };
      return { kind: 'done', messages: [SettingsMessages.reauthenticated()], ...(state ? { state } : {}) };
    }
    if (result.outcome === 'failure') {
      const message =
        result.message.messageId === 'msg_invalid_un_pw'
          ? SettingsMessages.invalidPassword(
              result.message.context?.find((entry) => entry.key === 'remainingAttempts')?.value,
            )
          : result.message;
      return { kind: 'retry', messages: [message] };
    }
    // Another identity's passkey or identifier answered (or an unexpected continuation): refused, never accepted.
    return { kind: 'retry', messages: [SettingsMessages.invalidPassword(undefined)] };
  }
}
