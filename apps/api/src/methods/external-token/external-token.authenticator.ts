import { Injectable } from '@nestjs/common';
import type { FlowMessage } from '@keyway/flow-types';
import { ExternalTokenSignIn } from '../../domain/external-tokens/external-token-sign-in';
import { TOKEN_TYPE_JWT } from '../../domain/external-tokens/trusted-token-issuer';
import { FlowMessages } from '../../domain/flows/flow-messages';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';

const PROMPT: AuthenticatorPrompt = {
  // The app gets the token from its partner backend, not from the user: no field is shown.
  promptType: 'INTERNAL_PROMPT',
  params: [
    {
      param: 'subjectToken',
      type: 'STRING',
      order: 0,
      i18nKey: 'subject.token.param',
      displayName: 'Partner token',
      confidential: true,
    },
    {
      param: 'subjectTokenType',
      type: 'STRING',
      order: 1,
      i18nKey: 'subject.token.type.param',
      displayName: 'Token type (RFC 8693)',
      confidential: false,
    },
    {
      param: 'subjectIssuer',
      type: 'STRING',
      order: 2,
      i18nKey: 'subject.issuer.param',
      displayName: 'Token issuer (when several could have issued it)',
      confidential: false,
    },
  ],
  requiredParams: ['subjectToken'],
};

const invalidToken = (): FlowMessage => ({
  type: 'ERROR',
  messageId: 'msg_invalid_external_token',
  message: 'The sign-in token is not valid.',
  i18nKey: 'message.msg_invalid_external_token',
});

const issuerUnavailable = (): FlowMessage => ({
  type: 'ERROR',
  messageId: 'msg_external_token_unavailable',
  message: 'The sign-in token could not be checked right now. Try again later.',
  i18nKey: 'message.msg_external_token_unavailable',
});

/**
 * Sign-in with a trusted partner's token inside a login flow (the token exchange grant's twin): the app posts
 * `subjectToken` (and `subjectTokenType`, a JWT unless it says `…:access_token`; `subjectIssuer` when several
 * opaque-token issuers could have made it). Checked against the issuers allowed for the application; a partner
 * subject seen first registers its identity. Refusals never tell whether the subject exists.
 */
@Injectable()
export class ExternalTokenAuthenticator implements Authenticator {
  readonly name = 'ExternalTokenAuthenticator';
  readonly idp = 'LOCAL';
  readonly displayName = 'Partner token';
  readonly i18nKey = 'authenticator.external.token';
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['ext'] as const;
  readonly requiresInitiation = false;

  constructor(private readonly externalTokens: ExternalTokenSignIn) {}

  prompt(): AuthenticatorPrompt {
    return PROMPT;
  }

  async authenticate(
    { project, application, flow }: AuthenticatorContext,
    params: Record<string, string>,
  ): Promise<AuthenticationResult> {
    const result = await this.externalTokens.signIn({
      projectId: project.id,
      applicationId: application.id,
      token: params['subjectToken'] ?? '',
      tokenType: params['subjectTokenType'] || TOKEN_TYPE_JWT,
      issuerName: params['subjectIssuer'] || undefined,
    });
    if (!result.signedIn)
      return {
        outcome: 'failure',
        message: result.unavailable ? issuerUnavailable() : invalidToken(),
      };
    // A later step proves the identity an earlier one established; a partner's other user is not it.
    if (flow.identityId && flow.identityId !== result.identityId)
      return { outcome: 'failure', message: FlowMessages.identityMismatch() };
    return { outcome: 'success', identityId: result.identityId, amr: ['ext'] };
  }
}
