import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, ProjectPermissions } from '@keyway/admin-api';
import { AdminResponse } from './openapi';
import { AccessRepository } from '../domain/access/access.repository';
import { AccessService, type AdminPrincipal } from '../domain/access/access.service';
import { ProjectsService, type Project } from '../domain/projects/projects.service';
import { actorOf } from './auth/actor';
import { AdminAuth } from './auth/admin-auth.decorator';
import { CurrentPrincipal, RequireProjectAccess, RequireSignedIn } from './auth/require-permission';
import { AdminProject } from './admin-project.pipe';

/** What the caller may do: the console shows what this says, the API enforces it on every endpoint. */
@ApiTags('admin: access')
@AdminAuth()
@Controller('api/admin/v1')
export class AccessAdminController {
  constructor(
    private readonly access: AccessService,
    private readonly accessRepository: AccessRepository,
    private readonly projects: ProjectsService,
  ) {}

  @Get('me')
  @RequireSignedIn()
  @AdminResponse(Caller)
  @ApiOperation({
    summary: 'The caller: who it is, whether it owns the instance, its projects and permissions in each',
  })
  async me(@CurrentPrincipal() principal: AdminPrincipal): Promise<Caller> {
    const { actor } = actorOf(principal);
    const roles = new Map<string, string>();
    if (principal.kind === 'console-user')
      for (const membership of await this.accessRepository.membershipsOf(principal.identityId))
        roles.set(membership.projectId, membership.role);
    if (principal.kind === 'api-key') roles.set(principal.projectId, principal.role);
    const projects: Caller['projects'] = [];
    for (const project of await this.projects.list()) {
      const permissions = await this.access.permissionsIn(principal, project);
      if (permissions.size === 0) continue;
      const role = roles.get(project.id);
      projects.push({
        slug: project.slug,
        name: project.name,
        ...(role ? { role } : {}),
        permissions: [...permissions],
      });
    }
    return {
      kind: principal.kind,
      id: actor.id,
      name: actor.name,
      instanceOwner: await this.access.isInstanceOwner(principal),
      projects,
    };
  }

  @Get('projects/:slug/me/permissions')
  @RequireProjectAccess()
  @AdminResponse(ProjectPermissions)
  @ApiOperation({ summary: "The caller's permissions in a project" })
  async permissions(
    @AdminProject() project: Project,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ProjectPermissions> {
    return { permissions: [...(await this.access.permissionsIn(principal, project))] };
  }
}
