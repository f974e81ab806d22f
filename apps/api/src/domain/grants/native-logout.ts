import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { OAuthError } from '../../infra/http/errors';
import { sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';
import { IdTokenHints } from '../sessions/id-token-hints';
import { SessionLogout } from '../sessions/session-logout.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { ClientAuthenticator, readClientCredentials } from './client-authentication';

const param = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** The JSON logout of a native app (`response_mode=direct` at the logout endpoint). */
export const NativeLogoutParams = z.object({
  response_mode: z.literal('direct'),
  client_id: param(256).optional(),
  client_secret: param(512).optional(),
  refresh_token: param(4096).optional(),
  id_token_hint: param(8192).optional(),
});
export type NativeLogoutParams = z.infer<typeof NativeLogoutParams>;

/**
 * Logout for apps that sign in without a browser (app-native authentication): the app names its session by
 * one of its refresh tokens or by its ID token, and the session ends with every refresh token issued in it,
 * as a browser logout does. The client authenticates as at the token endpoint. A token that names no live
 * session of this client is answered like a successful logout (there is nothing left to end), and tells
 * nobody whether it ever existed.
 */
@Injectable()
export class NativeLogout {
  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly sessions: SessionsRepository,
    private readonly hints: IdTokenHints,
    private readonly logout: SessionLogout,
  ) {}

  async logOut(project: Project, params: NativeLogoutParams, authorization: string | undefined): Promise<void> {
    const client = await this.clients.authenticate(project, readClientCredentials(authorization, params), 'logout');
    let sessionId: string | undefined;
    if (params.refresh_token !== undefined) {
      sessionId = await this.sessions.sessionOfRefreshToken(sha256(params.refresh_token), {
        projectId: project.id,
        applicationId: client.id,
      });
    } else if (params.id_token_hint !== undefined) {
      const hint = await this.hints.read(project, params.id_token_hint);
      if (!hint || !hint.clientIds.includes(client.clientId))
        throw new OAuthError('invalid_request', 'id_token_hint is not an ID token issued to this client');
      sessionId = hint.sessionId;
    } else {
      throw new OAuthError('invalid_request', 'send refresh_token or id_token_hint to name the session to end');
    }
    if (sessionId) await this.logout.end(project, sessionId, { clientId: client.clientId, channel: 'native' });
  }
}
