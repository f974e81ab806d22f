import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessService, type AdminPrincipal } from '../../domain/access/access.service';
import { ProjectsService } from '../../domain/projects/projects.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import { ADMIN_REQUIREMENT, type AdminRequirement } from './require-permission';

/**
 * Checks the requirement an admin endpoint declares against the authenticated caller (console user, API key,
 * root token), on every request: the console only mirrors this (GET …/me). A caller with no permission at all
 * in a project is answered as if it did not exist; one with some, but not this one, gets 403 naming it.
 */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
    private readonly projects: ProjectsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ user: AdminPrincipal; params: Record<string, string> }>();
    const requirement = this.reflector.getAllAndOverride<AdminRequirement | undefined>(ADMIN_REQUIREMENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) throw forbidden('This endpoint declares no permission, so no one may call it.');
    if ('signedIn' in requirement) return true;
    if ('instanceOwner' in requirement) {
      if (await this.access.isInstanceOwner(request.user)) return true;
      throw forbidden('Only an owner of the instance may do this.');
    }
    const slug = request.params['slug'];
    const project = slug ? await this.projects.findBySlug(slug) : undefined;
    const permissions = project ? await this.access.permissionsIn(request.user, project) : new Set();
    if (!project || permissions.size === 0) throw ApiError.notFound(`No project with slug '${slug}'.`);
    if ('projectAccess' in requirement || permissions.has(requirement.permission)) return true;
    throw forbidden(`This needs the permission '${requirement.permission}' in project '${slug}'.`);
  }
}

function forbidden(description: string): ApiError {
  return new ApiError(HttpStatus.FORBIDDEN, ErrorCodes.FORBIDDEN, 'Forbidden.', description);
}
