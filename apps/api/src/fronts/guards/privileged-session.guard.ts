import { Injectable, UseGuards, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenVerifier } from '../../domain/sessions/access-token.verifier';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';

/**
 * 403 `KW-40301` unless the access token's session authenticated within the project's privileged window
 * (PrivilegedSessions.require). It authenticates the request itself when AccessTokenGuard has not yet, so the
 * order of guards on a route can never leave it open.
 */
@Injectable()
export class PrivilegedSessionGuard extends AccessTokenGuard {
  constructor(
    tenants: TenantPipe,
    tokens: AccessTokenVerifier,
    private readonly privileged: PrivilegedSessions,
  ) {
    super(tenants, tokens);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const { project, token } = await this.authenticate(context.switchToHttp().getRequest<FastifyRequest>());
    await this.privileged.require(project, token.sessionId);
    return true;
  }
}

/**
 * For routes that add or remove a factor or replace backup codes: a stolen access token alone must not be
 * enough to change how the account signs in, so the session must have signed in recently (re-authenticating
 * in the settings flow reopens the window).
 */
export const RequirePrivilegedSession = (): MethodDecorator & ClassDecorator => UseGuards(PrivilegedSessionGuard);
