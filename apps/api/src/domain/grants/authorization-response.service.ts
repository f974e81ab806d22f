import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FlowSuccessResponse } from '@keyway/flow-types';
import type { RequestContext } from '../../infra/http/request-context';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import { AuditService } from '../audit/audit.service';
import { AfterFlowHooks } from '../flows/after-flow-hooks';
import type { AuthRequest, FlowRecord } from '../flows/flow';
import type { Project } from '../projects/projects.service';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { sessionDevice } from './session-device';

type SignedInFlow = FlowRecord & { identityId: string };

/** Turns a successful login flow into an SSO session and a single-use authorization code. */
@Injectable()
export class AuthorizationResponseService {
  constructor(
    private readonly codes: AuthorizationCodesRepository,
    private readonly hooks: AfterFlowHooks,
    private readonly audit: AuditService,
  ) {}

  /**
   * `client`: the request completing the login; its device is stored with the session. The
   * `login.completed` hooks (flows/hooks: the new-device alert) run in the session's transaction, so what
   * they write exists exactly when the session does; when none has work, session and code go without one.
   */
  async issue(project: Project, flow: SignedInFlow, client?: RequestContext): Promise<FlowSuccessResponse['authData']> {
    return (await this.signIn(project, flow, client)).authData;
  }

  /** As `issue`, also naming the new session (the hosted front sets the browser's SSO cookie for it). */
  async signIn(project: Project, flow: SignedInFlow, client?: RequestContext): Promise<IssuedAuthorization> {
    const now = Date.now();
    const code = randomToken();
    const { authRequest } = flow;
    const device = client ? sessionDevice(client) : undefined;
    const sessionId = randomUUID();
    const hooks = await this.hooks.prepare('login.completed', {
      project,
      flow,
      identityId: flow.identityId,
      at: new Date(now),
      sessionId,
      device,
    });
    await this.codes.createWithSession(
      {
        sessionId,
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
        device,
      },
      hooks.any ? (tx) => hooks.run(tx) : undefined,
    );
    // The sign-in on the identity's timeline (admin API); the session row holds its device.
    await this.audit.record('login.succeeded', {
      projectId: project.id,
      identityId: flow.identityId,
      clientId: authRequest.clientId,
      data: { flowType: flow.type, amr: flow.amr, sessionId },
    });
    return { authData: authData(code, authRequest, sessionId), sessionId };
  }

  /** The session a code (just issued, by a self-service flow) belongs to: the hosted pages sign the browser in to it. */
  async sessionOfCode(code: string): Promise<string | undefined> {
    return (await this.codes.findByHash(sha256(code)))?.sessionId;
  }

  /**
   * Single sign-on: a code for another authorization request in an existing live session, with the session's
   * amr and auth_time (no new login happened). Undefined when the session ended meanwhile.
   */
  async issueInSession(
    project: Project,
    applicationId: string,
    authRequest: AuthRequest,
    session: { id: string; identityId: string; amr: string[]; authTime: Date },
  ): Promise<FlowSuccessResponse['authData'] | undefined> {
    const now = new Date();
    const code = randomToken();
    const stored = await this.codes.createInSession(
      {
        sessionId: session.id,
        projectId: project.id,
        applicationId,
        identityId: session.identityId,
        amr: session.amr,
        authTime: session.authTime,
        codeHash: sha256(code),
        codeExpiresAt: new Date(now.getTime() + project.settings.authorizationCodeTtlSeconds * 1000),
        redirectUri: authRequest.redirectUri,
        scope: authRequest.scope,
        nonce: authRequest.nonce,
        codeChallenge: authRequest.codeChallenge,
        codeChallengeMethod: authRequest.codeChallengeMethod,
      },
      now,
    );
    if (!stored) return undefined;
    await this.audit.record('login.succeeded', {
      projectId: project.id,
      identityId: session.identityId,
      clientId: authRequest.clientId,
      data: { sso: true, amr: session.amr, sessionId: session.id },
    });
    return authData(code, authRequest, session.id);
  }
}

/** A code and the session it was issued in. */
export interface IssuedAuthorization {
  authData: FlowSuccessResponse['authData'];
  sessionId: string;
}

function authData(code: string, authRequest: AuthRequest, sessionId: string): FlowSuccessResponse['authData'] {
  return {
    code,
    ...(authRequest.state !== undefined ? { state: authRequest.state } : {}),
    session_state: sessionState(authRequest.clientId, authRequest.redirectUri, sessionId),
  };
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
