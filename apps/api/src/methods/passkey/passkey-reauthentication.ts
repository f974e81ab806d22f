import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import type {
  AuthenticationResult,
  Authenticator,
  AuthenticatorContext,
  AuthenticatorPrompt,
  InitiationRequest,
} from '../authenticator';
import { settleReauthentication } from '../reauthentication';
import { FidoAuthenticator } from './fido.authenticator';
import { PasskeysService } from './passkeys.service';

/**
 * Settings' re-authentication with a passkey, checked by the login's FIDOAuthenticator as a second factor
 * over the identity's own passkeys (the same lockout counters as login). The FIDO option's state lives under
 * this option's name; the prompt is FIDO's challenge under this option's id.
 */
@Injectable()
export class PasskeyReauthentication implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.passkeyReauthentication;
  readonly idp = 'LOCAL';
  readonly displayName = 'Passkey';
  readonly i18nKey = 'action.passkey.reauthentication';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = true;

  constructor(
    private readonly fido: FidoAuthenticator,
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionsRepository,
  ) {}

  async isOffered({ flow }: AuthenticatorContext): Promise<boolean> {
    return flow.identityId !== null && (await this.passkeys.findByIdentity(flow.identityId)) !== undefined;
  }

  /**
   * A new challenge when the user selects the option; the pending one again when the step is merely presented
   * again (after a wrong answer, or a menu action answered with the re-authentication): the user may be answering it.
   */
  async initiate(context: AuthenticatorContext, request?: InitiationRequest): Promise<{ stepState?: unknown }> {
    const pending = context.flow.stepState[this.name];
    if (pending !== undefined && pending !== null && request?.reselected !== true) return { stepState: pending };
    const { stepState } = await this.fido.initiate(this.asFido(context));
    return { stepState };
  }

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const { additionalData } = this.fido.prompt(this.asFido(context));
    return {
      promptType: 'INTERNAL_PROMPT',
      ...(additionalData ? { additionalData } : {}),
      requiredParams: ['tokenResponse'],
    };
  }

  /** A failed assertion keeps the challenge (the platform may be asked again); success spends it. */
  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    return settleReauthentication(this.sessions, context, await this.fido.authenticate(this.asFido(context), params));
  }

  /** The flow as the FIDO option sees it: its own state under its own name. */
  private asFido(context: AuthenticatorContext): AuthenticatorContext {
    const { flow } = context;
    return { ...context, flow: { ...flow, stepState: { [this.fido.name]: flow.stepState[this.name] } } };
  }
}
