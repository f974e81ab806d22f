import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Invitation } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { InvitationsService, type InvitationView } from '../../domain/access/invitations.service';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { InviteBody } from './access.dto';

/** Invitations to a project; the link's own endpoints (lookup, accept) are public: fronts/invitations. */
@ApiTags('admin: access')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/invitations')
export class InvitationsAdminController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @DocumentedResponse(Invitation, 201)
  @RequirePermission('members.write')
  @ApiOperation({
    summary:
      'Invite an address with a role (within your own permissions): a single-use link, valid 7 days, is mailed to it',
  })
  @ApiBody({ schema: z.toJSONSchema(InviteBody) as object })
  async invite(
    @AdminProject() project: Project,
    @JsonBody(InviteBody) body: InviteBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<InvitationView> {
    const { actor } = actorOf(principal);
    const invitation = await this.invitations.invite(principal, project, { ...body, invitedBy: actor.name });
    await this.audit.record('member.invited', {
      projectId: project.id,
      actor,
      target: { type: 'invitation', id: invitation.id },
      data: { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt },
    });
    return invitation;
  }

  @Get()
  @DocumentedResponse(z.array(Invitation))
  @RequirePermission('members.read')
  @ApiOperation({ summary: 'List the pending invitations (neither accepted, revoked nor expired)' })
  list(@AdminProject() project: Project): Promise<InvitationView[]> {
    return this.invitations.pending(project.id);
  }

  @Delete(':id')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @RequirePermission('members.write')
  @ApiOperation({ summary: 'Revoke a pending invitation: its link stops working' })
  async revoke(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    await this.invitations.revoke(project, id);
    await this.audit.record('member.invitation_revoked', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'invitation', id },
    });
  }
}
