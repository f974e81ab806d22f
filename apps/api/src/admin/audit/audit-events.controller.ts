import { Controller, Get } from '@nestjs/common';
import { AuditEvent, listPage } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { cursorPosition, pageOf, type Page } from '../../infra/http/page-cursor';
import { ValidQuery } from '../../infra/http/zod-pipes';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { RequirePermission } from '../auth/require-permission';
import { AuditEventsQuery, auditEventView, type AuditEventView } from './audit-events';

@ApiTags('admin: audit')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/audit-events')
export class AuditEventsAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @DocumentedResponse(listPage(AuditEvent))
  @RequirePermission('audit.read')
  @ApiOperation({
    summary:
      "The project's audit log, newest first, paginated; filtered by actor, identity, type (or prefix*), from/to",
  })
  @ApiQuery({ name: 'actor', required: false, description: 'actor id (identity id, API key id, root) or name' })
  @ApiQuery({ name: 'identity', required: false, description: 'events about this identity' })
  @ApiQuery({ name: 'type', required: false, description: 'an event type, or a prefix ending in * (admin.identity.*)' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601, exclusive' })
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 25' })
  @ApiQuery({ name: 'cursor', required: false, description: "the previous page's nextCursor" })
  async list(
    @AdminProject() project: Project,
    @ValidQuery(AuditEventsQuery) query: AuditEventsQuery,
  ): Promise<Page<AuditEventView>> {
    const after = cursorPosition(query.cursor);
    const rows = await this.audit.list(
      project.id,
      { actor: query.actor, identityId: query.identity, type: query.type, from: query.from, to: query.to },
      { after, take: query.limit + 1 },
    );
    return pageOf(rows, query.limit, auditEventView);
  }
}
