import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { AuditEvent, Identity, IdentityActionResult, IdentityDetail, listPage, Session } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import { cursorPosition, pageOf, type Page } from '../../infra/http/page-cursor';
import { JsonBody, ValidQuery } from '../../infra/http/zod-pipes';
import { auditEventView, type AuditEventView } from '../audit/audit-events';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { HelpDeskService, type ActionResult } from './help-desk.service';
import { CreateIdentityBody, ListIdentitiesQuery, PageQuery, ReasonBody, UpdateIdentityBody } from './identities.dto';
import { IdentitiesService } from './identities.service';
import {
  identityView,
  sessionView,
  type IdentityDetailView,
  type IdentityView,
  type SessionView,
} from './identity-views';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** The most sessions one identity's list shows (newest first): far more than a person has live. */
const SESSIONS_SHOWN = 100;

/**
 * Identities of a project for administrators and help desk: find, read (never a secret), change, delete; their
 * sessions and timeline. The help-desk actions are in IdentityActionsController.
 */
@ApiTags('admin: identities')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/identities')
export class IdentitiesAdminController {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly helpDesk: HelpDeskService,
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @DocumentedResponse(Identity, 201)
  @RequirePermission('identities.write')
  @ApiOperation({
    summary: 'Create or import an identity, optionally with a password (clear or hashed) and a TOTP secret',
  })
  @ApiBody({ schema: schema(CreateIdentityBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateIdentityBody) body: CreateIdentityBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<IdentityView> {
    const credentials = {
      ...body.credentials,
      ...(body.password !== undefined ? { password: { value: body.password } } : {}),
    };
    const identity = await this.identities.create(project.id, body.traits, credentials, body.schemaVersion);
    await this.audit.record('identity.created', {
      projectId: project.id,
      identityId: identity.id,
      ...actorOf(principal),
      target: { type: 'identity', id: identity.id },
      data: { credentials: Object.keys(credentials) },
    });
    return identityView(identity);
  }

  @Get()
  @DocumentedResponse(listPage(Identity))
  @RequirePermission('identities.read')
  @ApiOperation({
    summary:
      'Find identities, newest first, paginated: q matches a login identifier or address (prefix), a trait value (contains) or an id',
  })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['active', 'disabled'] })
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 25' })
  @ApiQuery({ name: 'cursor', required: false, description: "the previous page's nextCursor" })
  list(
    @AdminProject() project: Project,
    @ValidQuery(ListIdentitiesQuery) query: ListIdentitiesQuery,
  ): Promise<Page<IdentityView>> {
    return this.identities.search(project.id, query);
  }

  @Get(':id')
  @DocumentedResponse(IdentityDetail)
  @RequirePermission('identities.read')
  @ApiOperation({
    summary: "Read an identity: traits, state, lock, addresses, credentials' metadata (never a secret)",
  })
  async get(@AdminProject() project: Project, @Param('id') id: string): Promise<IdentityDetailView> {
    return this.identities.detail(await this.identities.get(project, id));
  }

  @Patch(':id')
  @DocumentedResponse(IdentityActionResult)
  @RequirePermission('identities.write')
  @ApiOperation({
    summary: "Replace an identity's traits (validated by its schema version), with a reason; identifiers follow",
  })
  @ApiBody({ schema: schema(UpdateIdentityBody) })
  async update(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(UpdateIdentityBody) body: UpdateIdentityBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    const identity = await this.identities.get(project, id);
    const context = { project, principal, reason: body.reason };
    await this.helpDesk.assertMayActOn(context, identity);
    return this.helpDesk.update(context, identity, body.traits);
  }

  @Delete(':id')
  @DocumentedResponse(IdentityActionResult)
  @RequirePermission('identities.write')
  @ApiOperation({ summary: 'Delete an identity with its credentials, sessions and refresh tokens, with a reason' })
  @ApiBody({ schema: schema(ReasonBody) })
  async delete(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult<{ id: string }>> {
    const identity = await this.identities.get(project, id);
    const context = { project, principal, reason: body.reason };
    await this.helpDesk.assertMayActOn(context, identity);
    return this.helpDesk.delete(context, identity);
  }

  @Get(':id/timeline')
  @DocumentedResponse(listPage(AuditEvent))
  @RequirePermission('identities.read')
  @ApiOperation({
    summary: "The identity's audit events (sign-ins, locks, settings changes, admin actions), newest first",
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 25' })
  @ApiQuery({ name: 'cursor', required: false, description: "the previous page's nextCursor" })
  async timeline(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @ValidQuery(PageQuery) query: PageQuery,
  ): Promise<Page<AuditEventView>> {
    const identity = await this.identities.get(project, id);
    const after = cursorPosition(query.cursor);
    const rows = await this.audit.list(project.id, { identityId: identity.id }, { after, take: query.limit + 1 });
    return pageOf(rows, query.limit, auditEventView);
  }

  @Get(':id/sessions')
  @DocumentedResponse(z.array(Session))
  @RequirePermission('sessions.read')
  @ApiOperation({ summary: "The identity's sessions, newest first (live, expired and revoked; at most 100)" })
  async listSessions(@AdminProject() project: Project, @Param('id') id: string): Promise<SessionView[]> {
    const identity = await this.identities.get(project, id);
    const now = new Date();
    return (await this.sessions.listForIdentity(identity.id, SESSIONS_SHOWN)).map((session) =>
      sessionView(session, now),
    );
  }

  @Delete(':id/sessions/:sessionId')
  @DocumentedResponse(IdentityActionResult)
  @RequirePermission('sessions.revoke')
  @ApiOperation({ summary: 'Revoke one session of the identity and its refresh tokens, with a reason' })
  @ApiBody({ schema: schema(ReasonBody) })
  async revokeSession(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @Param('sessionId') sessionId: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult<{ sessionId: string }>> {
    const identity = await this.identities.get(project, id);
    const context = { project, principal, reason: body.reason };
    await this.helpDesk.assertMayActOn(context, identity);
    return this.helpDesk.revokeSession(context, identity, sessionId);
  }
}
