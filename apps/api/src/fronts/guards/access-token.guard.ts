import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Project } from '../../domain/projects/projects.service';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { AccessTokenVerifier, type VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';

/** What AccessTokenGuard established for a request: the issuer's project and the access token it accepted for it. */
export interface BearerAuthentication {
  project: Project;
  token: VerifiedAccessToken;
}

// Keyed by the request object: nothing is declared on FastifyRequest, and it goes away with the request.
const authentications = new WeakMap<object, BearerAuthentication>();

/**
 * Admits a request to a Bearer-protected resource of an issuer (/me, the settings flow) before pipes and
 * handler run: the `{tenant}` path segment resolved by the TenantPipe, as @Tenant() resolves it (404 for an
 * unknown tenant), then the access token checked by AccessTokenVerifier (401 `invalid_token` with
 * `WWW-Authenticate: Bearer error="invalid_token"`). Handlers read the token with @CurrentAccessToken() or
 * @CurrentIdentity().
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly tenants: TenantPipe,
    private readonly tokens: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticate(context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }

  /** Once per request: a second guard on the route (PrivilegedSessionGuard) reuses the first answer. */
  protected async authenticate(request: FastifyRequest): Promise<BearerAuthentication> {
    const known = authentications.get(request);
    if (known) return known;
    const slug = (request.params as { tenant?: unknown } | undefined)?.tenant;
    if (typeof slug !== 'string') throw new Error('AccessTokenGuard guards only routes under t/:tenant');
    const project = await this.tenants.transform(slug);
    const token = await this.tokens.verify(project, request.headers.authorization);
    const authentication = { project, token };
    authentications.set(request, authentication);
    return authentication;
  }
}

/** What the guard established for `request`; a route that reads it without the guard is our bug (500), never an open door. */
export function bearerAuthenticationOf(request: object): BearerAuthentication {
  const found = authentications.get(request);
  if (!found) throw new Error('No verified access token on this request: the route lacks AccessTokenGuard');
  return found;
}

/** The access token AccessTokenGuard accepted: `@CurrentAccessToken() token: VerifiedAccessToken`. */
export const CurrentAccessToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedAccessToken =>
    bearerAuthenticationOf(context.switchToHttp().getRequest<FastifyRequest>()).token,
);

/** The identity of the access token AccessTokenGuard accepted: `@CurrentIdentity() identity: CurrentIdentity`. */
export const CurrentIdentity = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CurrentIdentity =>
    bearerAuthenticationOf(context.switchToHttp().getRequest<FastifyRequest>()).token.identity,
);
export type CurrentIdentity = VerifiedAccessToken['identity'];
