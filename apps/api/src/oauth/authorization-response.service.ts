import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FlowSuccessResponse } from '@keyway/flow-types';
import { randomToken, sha256 } from '../crypto/tokens';
import type { FlowRecord } from '../flows/flow';
import type { Project } from '../projects/projects.service';
import { AuthorizationCodesRepository } from './authorization-codes.repository';

/** Turns a successful login flow into an SSO session and a single-use authorization code. */
@Injectable()
export class AuthorizationResponseService {
  constructor(private readonly codes: AuthorizationCodesRepository) {}

  async issue(project: Project, flow: FlowRecord & { identityId: string }): Promise<FlowSuccessResponse['authData']> {
    const now = Date.now();
    const code = randomToken();
    const { authRequest } = flow;
    const { sessionId } = await this.codes.createWithSession({
      projectId: project.id,
      applicationId: flow.applicationId,
      identityId: flow.identityId,
      amr: flow.amr,
      authTime: new Date(now),
      sessionExpiresAt: new Date(now + project.settings.sessionTtlSeconds * 1000),
      codeHash: sha256(code),
      codeExpiresAt: new Date(now + project.settings.authorizationCodeTtlSeconds * 1000),
      redirectUri: authRequest.redirectUri,
      scope: authRequest.scope,
      nonce: authRequest.nonce,
      codeChallenge: authRequest.codeChallenge,
      codeChallengeMethod: authRequest.codeChallengeMethod,
    });
    return {
      code,
      ...(authRequest.state !== undefined ? { state: authRequest.state } : {}),
      session_state: sessionState(authRequest.clientId, authRequest.redirectUri, sessionId),
    };
  }
}

/**
 * OpenID Connect Session Management 1.0 §3: hash(client_id, origin, browser state, salt) + "." + salt.
 * The session id stands in for the browser state; native redirect URIs have no web origin, so the URI
 * itself is used.
 */
function sessionState(clientId: string, redirectUri: string | undefined, sessionId: string): string {
  const salt = randomToken(12);
  // Without a redirect_uri (First-Party Apps) there is no origin at all; the client id stands alone.
  let origin = redirectUri ?? '';
  try {
    if (redirectUri !== undefined) {
      const parsed = new URL(redirectUri);
      if (parsed.origin !== 'null') origin = parsed.origin;
    }
  } catch {
    // keep the URI itself
  }
  const digest = createHash('sha256').update(`${clientId} ${origin} ${sessionId} ${salt}`).digest('hex');
  return `${digest}.${salt}`;
}
