import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Role } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { RolesService, type RoleView } from '../../domain/access/roles.service';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { CreateRoleBody, UpdateRoleBody } from './access.dto';

/** A project's roles: the built-in presets and its custom roles. */
@ApiTags('admin: access')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/roles')
export class RolesAdminController {
  constructor(
    private readonly roles: RolesService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @DocumentedResponse(z.array(Role))
  @RequirePermission('members.read')
  @ApiOperation({ summary: "List the built-in roles and the project's custom roles with their permissions" })
  list(@AdminProject() project: Project): Promise<RoleView[]> {
    return this.roles.list(project.id);
  }

  @Post()
  @DocumentedResponse(Role, 201)
  @RequirePermission('roles.write')
  @ApiOperation({ summary: 'Create a custom role (only with permissions you hold)' })
  @ApiBody({ schema: z.toJSONSchema(CreateRoleBody, { io: 'input' }) as object })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateRoleBody) body: CreateRoleBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<RoleView> {
    const role = await this.roles.create(principal, project, body);
    await this.audit.record('role.created', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'role', id: role.name },
      data: { permissions: role.permissions },
    });
    return role;
  }

  @Patch(':name')
  @DocumentedResponse(Role)
  @RequirePermission('roles.write')
  @ApiOperation({ summary: "Change a custom role's description or permissions (only with permissions you hold)" })
  @ApiBody({ schema: z.toJSONSchema(UpdateRoleBody, { io: 'input' }) as object })
  async update(
    @AdminProject() project: Project,
    @Param('name') name: string,
    @JsonBody(UpdateRoleBody) body: UpdateRoleBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<RoleView> {
    const { before, after } = await this.roles.update(principal, project, name, body);
    await this.audit.record('role.updated', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'role', id: name },
      data: {
        fields: Object.keys(body),
        ...(body.permissions ? { permissionsBefore: before.permissions, permissionsAfter: after.permissions } : {}),
      },
    });
    return after;
  }

  @Delete(':name')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @RequirePermission('roles.write')
  @ApiOperation({ summary: 'Delete a custom role (409 while a member, live API key or open invitation uses it)' })
  async delete(
    @AdminProject() project: Project,
    @Param('name') name: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const role = await this.roles.delete(principal, project, name);
    await this.audit.record('role.deleted', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'role', id: name },
      data: { permissions: role.permissions },
    });
  }
}
