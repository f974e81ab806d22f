import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiKey, CreatedApiKey } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { ApiKeysService, type ApiKeyView } from '../../domain/access/api-keys.service';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { CreateApiKeyBody } from './access.dto';

/** A project's API keys: `Authorization: Bearer kwk_…`, acting with the key's role in this project only. */
@ApiTags('admin: access')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/api-keys')
export class ApiKeysAdminController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @DocumentedResponse(z.array(ApiKey))
  @RequirePermission('api_keys.read')
  @ApiOperation({ summary: 'List the API keys (never their secrets)' })
  list(@AdminProject() project: Project): Promise<ApiKeyView[]> {
    return this.apiKeys.list(project.id);
  }

  @Post()
  @DocumentedResponse(CreatedApiKey, 201)
  @RequirePermission('api_keys.write')
  @ApiOperation({
    summary: 'Create an API key with a role (within your own permissions); the key is in this answer only',
  })
  @ApiBody({ schema: z.toJSONSchema(CreateApiKeyBody) as object })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateApiKeyBody) body: CreateApiKeyBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApiKeyView & { key: string }> {
    const { actor } = actorOf(principal);
    const created = await this.apiKeys.create(principal, project, {
      name: body.name,
      role: body.role,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      createdBy: actor.name,
    });
    await this.audit.record('api_key.created', {
      projectId: project.id,
      actor,
      target: { type: 'api-key', id: created.id },
      data: { name: created.name, role: created.role, expiresAt: created.expiresAt },
    });
    return created;
  }

  @Delete(':id')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @RequirePermission('api_keys.write')
  @ApiOperation({ summary: 'Revoke an API key: it is refused (401) from the next request on' })
  async revoke(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const { key, revoked } = await this.apiKeys.revoke(project, id);
    if (!revoked) return; // revoked before: nothing changed, nothing to record
    await this.audit.record('api_key.revoked', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'api-key', id: key.id },
      data: { name: key.name, role: key.role },
    });
  }
}
