import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';

/** Settings: "Done". Ends the flow; it changes nothing, so it needs no recent sign-in (FlowDefinition.gate.ungated). */
@Injectable()
export class FinishSettings implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.finishSettings;
  readonly idp = 'LOCAL';
  readonly displayName = 'Done';
  readonly i18nKey = 'action.settings.finish';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;

  prompt(): AuthenticatorPrompt {
    return { promptType: 'USER_PROMPT', params: [], requiredParams: [] };
  }

  async authenticate({ flow }: AuthenticatorContext): Promise<AuthenticationResult> {
    return { outcome: 'success', identityId: flow.identityId as string, amr: [], completesFlow: true };
  }
}
