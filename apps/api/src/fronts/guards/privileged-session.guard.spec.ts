import type { ExecutionContext } from '@nestjs/common';
import { ApiError, ErrorCodes, OAuthError } from '../../infra/http/errors';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project, ProjectsService } from '../../domain/projects/projects.service';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { AccessTokenGuard } from './access-token.guard';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';
import { PrivilegedSessionGuard } from './privileged-session.guard';
import type { SessionAuthentication, SessionsRepository } from '../../domain/sessions/sessions.repository';

const WINDOW_SECONDS = 900;
const project: Project = {
  id: 'p1',
  slug: 'acme',
  name: 'Acme',
  issuer: 'https://id.example.com/t/acme',
  settings: ProjectSettings.parse({ privilegedSessionSeconds: WINDOW_SECONDS }),
};

const contextFor = (request: object): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
const requestTo = (authorization?: string) => ({
  params: { tenant: 'acme' },
  headers: authorization ? { authorization } : {},
});
const signedInSecondsAgo = (seconds: number): SessionAuthentication => ({
  identityId: 'i1',
  authTime: new Date(Date.now() - seconds * 1000),
  amr: ['pwd'],
});

describe('PrivilegedSessionGuard', () => {
  // The session behind each access token, as the Session row has it (undefined: revoked, expired or unknown).
  const sessions = new Map<string, SessionAuthentication | undefined>();
  const findAuthentication = jest.fn(async (sessionId: string) => sessions.get(sessionId));
  const verify = jest.fn(async (_project: Project, authorization: string | undefined): Promise<VerifiedAccessToken> => {
    const sessionId = /^Bearer (\w+)$/.exec(authorization ?? '')?.[1];
    if (!sessionId) throw new OAuthError('invalid_token', 'a Bearer access token is required');
    return {
      identity: { id: 'i1', verifiedEmails: [] },
      sessionId,
      scope: 'openid',
      clientId: 'app',
    } as unknown as VerifiedAccessToken;
  });
  const tenants = new TenantPipe({
    findBySlug: async (slug: string) => (slug === project.slug ? project : undefined),
  } as unknown as ProjectsService);
  const tokens = { verify } as unknown as AccessTokenVerifier;
  const guard = new PrivilegedSessionGuard(
    tenants,
    tokens,
    new PrivilegedSessions({ findAuthentication } as unknown as SessionsRepository),
  );

  beforeEach(() => {
    jest.clearAllMocks();
    sessions.clear();
    sessions.set('fresh', signedInSecondsAgo(10));
    sessions.set('reauthenticated', signedInSecondsAgo(WINDOW_SECONDS - 60));
    sessions.set('stale', signedInSecondsAgo(WINDOW_SECONDS + 60));
    sessions.set('gone', undefined);
  });

  it('admits a session that signed in within the project window, judged on the Session row', async () => {
    for (const sessionId of ['fresh', 'reauthenticated']) {
      await expect(guard.canActivate(contextFor(requestTo(`Bearer ${sessionId}`)))).resolves.toBe(true);
      expect(findAuthentication).toHaveBeenLastCalledWith(sessionId, expect.any(Date));
    }
  });

  it('refuses a session that signed in longer ago, or no longer lives, with 403 KW-40301 pointing at the settings flow', async () => {
    for (const sessionId of ['stale', 'gone']) {
      const refused = guard.canActivate(contextFor(requestTo(`Bearer ${sessionId}`)));
      await expect(refused).rejects.toBeInstanceOf(ApiError);
      await expect(refused).rejects.toMatchObject({
        status: 403,
        code: ErrorCodes.REAUTHENTICATION_REQUIRED,
        message: 'Re-authentication required.',
        description: `This change needs a sign-in from the last ${WINDOW_SECONDS} seconds. Re-authenticate through the settings flow (POST ${project.issuer}/flows/settings) and try again.`,
      });
    }
  });

  it('answers a bad token 401 invalid_token before judging any session', async () => {
    await expect(guard.canActivate(contextFor(requestTo()))).rejects.toMatchObject({
      error: 'invalid_token',
      status: 401,
    });
    expect(findAuthentication).not.toHaveBeenCalled();
  });

  it('authenticates the request itself when AccessTokenGuard has not, and reuses its answer when it has', async () => {
    await guard.canActivate(contextFor(requestTo('Bearer fresh')));
    expect(verify).toHaveBeenCalledTimes(1);

    const request = requestTo('Bearer fresh');
    await new AccessTokenGuard(tenants, tokens).canActivate(contextFor(request));
    await guard.canActivate(contextFor(request));
    expect(verify).toHaveBeenCalledTimes(2);
  });
});
