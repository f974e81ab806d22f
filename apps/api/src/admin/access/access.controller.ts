import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, PermissionDescription, ProjectPermissions } from '@keyway/admin-api';
import { AccessRepository } from '../../domain/access/access.repository';
import { AccessService, type AdminPrincipal } from '../../domain/access/access.service';
import { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from '../../domain/access/permissions';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequireProjectAccess, RequireSignedIn } from '../auth/require-permission';
import { AdminProject } from '../auth/admin-project.pipe';
import { DocumentedResponse } from '../../infra/http/documented-response';

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
  @DocumentedResponse(Caller)
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

  @Get('permissions')
  @DocumentedResponse(z.array(PermissionDescription))
  @RequireSignedIn()
  @ApiOperation({ summary: 'The permission catalog: every permission a role can hold, with what it allows' })
  permissionCatalog(): Array<{ name: Permission; description: string }> {
    return PERMISSIONS.map((name) => ({ name, description: PERMISSION_DESCRIPTIONS[name] }));
  }

  @Get('projects/:slug/me/permissions')
  @RequireProjectAccess()
  @DocumentedResponse(ProjectPermissions)
  @ApiOperation({ summary: "The caller's permissions in a project" })
  async permissions(
    @AdminProject() project: Project,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ProjectPermissions> {
    return { permissions: [...(await this.access.permissionsIn(principal, project))] };
  }
}
