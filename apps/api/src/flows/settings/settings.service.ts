import { Injectable } from '@nestjs/common';
import type { AuthnRequest, FlowResponse, SelfServiceCompletedResponse } from '@keyway/flow-types';
import { matchesRegisteredRedirectUri } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { parseUiLocales } from '../../domain/email/mail-locale';
import type { Project } from '../../domain/projects/projects.service';
import type { VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import { ApiError } from '../../infra/http/errors';
import { FlowEngine } from '../engine/flow-engine.service';
import { presentOutcome } from '../self-service/self-service-responses';

type SettingsResponse = FlowResponse | SelfServiceCompletedResponse;

/**
 * Self-service settings, native JSON, in the login flow's wire shape, for a signed-in user (Bearer access
 * token), run by the flow engine (flows/engine/flow-definitions.ts, SETTINGS). The flow belongs to the token's
 * identity and session. Its one step is a menu of actions (profile, password, TOTP, passkeys, backup codes,
 * done: methods/*), offered again after each action with an INFO message saying what changed; every change
 * sits behind the session's privileged window, outside which the step is a re-authentication with the
 * identity's own first factors.
 */
@Injectable()
export class SettingsService {
  constructor(
    private readonly engine: FlowEngine,
    private readonly applications: ApplicationsService,
  ) {}

  /** `{}` with a Bearer token (verified by AccessTokenGuard): a flow for the token's identity and session, on behalf of the token's client. */
  async start(
    project: Project,
    token: VerifiedAccessToken,
    uiLocales?: string,
    redirectUri?: string,
  ): Promise<SettingsResponse> {
    const application = token.clientId ? await this.applications.findByClientId(project.id, token.clientId) : undefined;
    if (!application?.appNative)
      throw ApiError.badRequest("The access token's client is not an app-native application of this project.");
    if (redirectUri !== undefined && !matchesRegisteredRedirectUri(redirectUri, application.redirectUris))
      throw ApiError.badRequest('redirect_uri is not a registered redirect URI of this application.');
    const locales = parseUiLocales(uiLocales);
    const outcome = await this.engine.start(
      project,
      application,
      // Settings issue no authorization code; the client is kept so the flow stays bound to it, the session so
      // that only its access tokens answer.
      {
        clientId: application.clientId,
        scope: token.scope,
        sessionId: token.sessionId,
        ...(redirectUri !== undefined ? { redirectUri } : {}),
        ...(locales?.length ? { uiLocales: locales } : {}),
      },
      { type: 'SETTINGS', identityId: token.identity.id },
    );
    return presentOutcome(project, 'SETTINGS', outcome);
  }

  async advance(project: Project, request: AuthnRequest, token: VerifiedAccessToken): Promise<SettingsResponse> {
    const owner = { identityId: token.identity.id, sessionId: token.sessionId };
    return presentOutcome(project, 'SETTINGS', await this.engine.advance(project, request, 'SETTINGS', { owner }));
  }
}
