import { Injectable } from '@nestjs/common';
import type { Application } from '../../domain/applications/application';
import type { Prompt } from '../../domain/grants/prompt';
import type { Project } from '../../domain/projects/projects.service';
import { IdTokenHints } from '../../domain/sessions/id-token-hints';
import { SessionsRepository, type SessionAuthentication } from '../../domain/sessions/sessions.repository';
import { SsoKeys } from '../../domain/sessions/sso-keys';
import { FlowEngine } from '../engine/flow-engine.service';

/** A live session a new authorization request may be answered from. */
export interface LiveSession extends SessionAuthentication {
  id: string;
}

/** What an authorization request asks of single sign-on. */
export interface SsoRequest {
  /** The browser's session cookie; it wins over `sessionId` when both name a session (WSO2's rule). */
  cookieKey?: string | undefined;
  /** App-native SessionId-based SSO: the `isk` claim of an earlier ID token. */
  sessionKey?: string | undefined;
  prompt: ReadonlySet<Prompt>;
  maxAge?: number | undefined;
  idTokenHint?: string | undefined;
}

/**
 * `reuse`: answer at once from the session. `login`: run the app's login flow; `reason` is the OIDC error a
 * `prompt=none` request gets instead (§3.1.2.6): login_required, or interaction_required for a step-up.
 */
export type SsoDecision =
  | { kind: 'reuse'; session: LiveSession }
  | { kind: 'login'; error: 'login_required' | 'interaction_required'; session?: LiveSession };

/**
 * Single sign-on: whether an authorization request can be answered from the session the browser (cookie) or
 * the app (`sessionId`) already has. The rules of OIDC Core §3.1.2.1: `prompt=login`, a `max_age` the last
 * authentication is older than, an `id_token_hint` naming another user, or an app whose login flow needs a
 * factor the session has not passed (step-up) all mean a new login.
 */
@Injectable()
export class SingleSignOn {
  constructor(
    private readonly keys: SsoKeys,
    private readonly sessions: SessionsRepository,
    private readonly hints: IdTokenHints,
    private readonly engine: FlowEngine,
  ) {}

  async decide(
    project: Project,
    application: Application,
    request: SsoRequest,
    now = new Date(),
  ): Promise<SsoDecision> {
    const session = await this.liveSession(project, request, now);
    if (!session) return { kind: 'login', error: 'login_required' };
    const login = { kind: 'login' as const, session };
    if (request.prompt.has('login') || request.prompt.has('select_account'))
      return { ...login, error: 'login_required' };
    if (request.maxAge !== undefined && now.getTime() - session.authTime.getTime() > request.maxAge * 1000)
      return { ...login, error: 'login_required' };
    if (request.idTokenHint !== undefined) {
      const hint = await this.hints.read(project, request.idTokenHint);
      if (!hint || hint.subject !== session.identityId) return { ...login, error: 'login_required' };
    }
    if (!(await this.engine.sessionSatisfies(project, application, session.amr)))
      return { ...login, error: 'interaction_required' };
    return { kind: 'reuse', session };
  }

  /** The session a key names (the cookie's first), when it is this project's and still live. */
  async liveSession(
    project: Project,
    request: Pick<SsoRequest, 'cookieKey' | 'sessionKey'>,
    now = new Date(),
  ): Promise<LiveSession | undefined> {
    for (const key of [request.cookieKey, request.sessionKey]) {
      const id = this.keys.sessionIdOf(project.id, key);
      const session = id && (await this.sessions.findAuthentication(id, now));
      if (id && session) return { id, ...session };
    }
    return undefined;
  }
}
