import { Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import { Member } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { MembersService, type MemberView } from '../../domain/access/members.service';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { ChangeMemberBody } from './access.dto';

/** A project's members (console users with a role in it). The system project's owners are the instance's. */
@ApiTags('admin: access')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/members')
export class MembersAdminController {
  constructor(
    private readonly members: MembersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @DocumentedResponse(z.array(Member))
  @RequirePermission('members.read')
  @ApiOperation({ summary: 'List the members with their roles' })
  list(@AdminProject() project: Project): Promise<MemberView[]> {
    return this.members.list(project.id);
  }

  @Patch(':id')
  @DocumentedResponse(Member)
  @RequirePermission('members.write')
  @ApiOperation({
    summary: "Change a member's role (within your own permissions; the last owner cannot be demoted: 409)",
  })
  @ApiBody({ schema: z.toJSONSchema(ChangeMemberBody) as object })
  async changeRole(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ChangeMemberBody) body: ChangeMemberBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<MemberView> {
    const { before, after } = await this.members.changeRole(principal, project, id, body.role);
    await this.audit.record('member.role_changed', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'member', id: after.id },
      data: { identityId: after.identityId, from: before.role, to: after.role },
    });
    return after;
  }

  @Delete(':id')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @RequirePermission('members.write')
  @ApiOperation({ summary: 'Remove a member from the project (the last owner cannot be removed: 409)' })
  async remove(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const removed = await this.members.remove(principal, project, id);
    await this.audit.record('member.removed', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'member', id: removed.id },
      data: { identityId: removed.identityId, role: removed.role },
    });
  }
}
