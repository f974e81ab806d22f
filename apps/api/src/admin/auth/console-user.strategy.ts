import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { ProjectsService } from '../../domain/projects/projects.service';
import { CONSOLE_CLIENT_ID, SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { AccessTokenVerifier } from '../../domain/sessions/access-token.verifier';
import { HeaderOnlyBearerStrategy } from './bearer';

/**
 * `Authorization: Bearer <access token>` issued by the system project to the console (its backend-for-frontend
 * signs staff in through the app-native API and calls the admin API with their token): a console user. The
 * token is checked as at /oauth2/userinfo (signature, issuer, audience, a live session and identity).
 */
@Injectable()
export class ConsoleUserStrategy extends PassportStrategy(HeaderOnlyBearerStrategy, 'console-user') {
  constructor(
    private readonly projects: ProjectsService,
    private readonly verifier: AccessTokenVerifier,
  ) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    // Root and API keys are not JWTs: not ours to judge.
    if (token.split('.').length !== 3) return false;
    const system = await this.projects.findBySlug(SYSTEM_PROJECT_SLUG);
    if (!system) return false;
    const verified = await this.verifier.verify(system, `Bearer ${token}`).catch(() => undefined);
    if (!verified || verified.clientId !== CONSOLE_CLIENT_ID) return false;
    const traits = verified.identity.traits as Record<string, unknown>;
    const email = verified.identity.verifiedEmails[0] ?? (typeof traits['email'] === 'string' ? traits['email'] : '');
    return { kind: 'console-user', identityId: verified.identity.id, email };
  }
}
