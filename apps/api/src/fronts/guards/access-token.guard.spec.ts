import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ApiError, ErrorCodes, OAuthError } from '../../infra/http/errors';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project, ProjectsService } from '../../domain/projects/projects.service';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { AccessTokenGuard, bearerAuthenticationOf, CurrentAccessToken, CurrentIdentity } from './access-token.guard';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';

const project: Project = {
  id: 'p1',
  slug: 'acme',
  name: 'Acme',
  issuer: 'https://id.example.com/t/acme',
  settings: ProjectSettings.parse({}),
};
const token = {
  identity: { id: 'i1', verifiedEmails: [] },
  sessionId: 's1',
  scope: 'openid',
  clientId: 'app',
} as unknown as VerifiedAccessToken;

const contextFor = (request: object): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
const requestTo = (tenant: string, authorization?: string) => ({
  params: { tenant },
  headers: authorization ? { authorization } : {},
});

/** The function Nest runs for a param decorator made by createParamDecorator. */
function factoryOf(decorator: () => ParameterDecorator): (data: unknown, context: ExecutionContext) => unknown {
  class Route {
    handler(_value: unknown): void {}
  }
  decorator()(Route.prototype, 'handler', 0);
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Route, 'handler') as Record<
    string,
    { factory: (data: unknown, context: ExecutionContext) => unknown }
  >;
  return Object.values(args)[0]!.factory;
}

describe('AccessTokenGuard', () => {
  const findBySlug = jest.fn(async (slug: string) => (slug === project.slug ? project : undefined));
  const verify = jest.fn(async (_project: Project, authorization: string | undefined): Promise<VerifiedAccessToken> => {
    if (authorization !== 'Bearer good')
      throw new OAuthError('invalid_token', 'the access token is invalid or expired');
    return token;
  });
  const guard = new AccessTokenGuard(new TenantPipe({ findBySlug } as unknown as ProjectsService), {
    verify,
  } as unknown as AccessTokenVerifier);
  beforeEach(() => jest.clearAllMocks());

  it('resolves the tenant as @Tenant() does, verifies the Authorization header for that project, and hands the token to the handler', async () => {
    const request = requestTo('acme', 'Bearer good');
    await expect(guard.canActivate(contextFor(request))).resolves.toBe(true);
    expect(findBySlug).toHaveBeenCalledWith('acme');
    expect(verify).toHaveBeenCalledWith(project, 'Bearer good');
    expect(bearerAuthenticationOf(request)).toEqual({ project, token });
    expect(factoryOf(CurrentAccessToken)(undefined, contextFor(request))).toBe(token);
    expect(factoryOf(CurrentIdentity)(undefined, contextFor(request))).toBe(token.identity);
  });

  it('verifies a request once, however many guards ask', async () => {
    const request = requestTo('acme', 'Bearer good');
    await guard.canActivate(contextFor(request));
    await guard.canActivate(contextFor(request));
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('answers an unknown tenant 404 before looking at the token', async () => {
    const refused = guard.canActivate(contextFor(requestTo('nobody', 'Bearer good')));
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 404, code: ErrorCodes.NOT_FOUND });
    expect(verify).not.toHaveBeenCalled();
  });

  it('lets the 401 invalid_token through for a missing or bad token, and admits nothing', async () => {
    for (const authorization of [undefined, 'Bearer bad', 'Basic Zm9vOmJhcg==']) {
      const request = requestTo('acme', authorization);
      const refused = guard.canActivate(contextFor(request));
      await expect(refused).rejects.toBeInstanceOf(OAuthError);
      await expect(refused).rejects.toMatchObject({ error: 'invalid_token', status: 401 });
      expect(() => bearerAuthenticationOf(request)).toThrow(/lacks AccessTokenGuard/);
    }
  });

  it('fails closed when a handler reads the token on a route without the guard', () => {
    expect(() => factoryOf(CurrentIdentity)(undefined, contextFor(requestTo('acme', 'Bearer good')))).toThrow(
      /lacks AccessTokenGuard/,
    );
  });
});
