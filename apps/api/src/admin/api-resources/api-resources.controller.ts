import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiResourceView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import type { ApiResource } from '../../domain/api-resources/api-resource';
import { ApiResourcesService } from '../../domain/api-resources/api-resources.service';
import { auditDiff, type AuditChanges } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { JsonBody } from '../../infra/http/zod-pipes';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { CreateApiResourceBody, UpdateApiResourceBody } from './api-resources.dto';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** The project's API resources: what client_credentials tokens are for (their audience and scopes). */
@ApiTags('admin: API resources')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/api-resources')
export class ApiResourcesAdminController {
  constructor(
    private readonly resources: ApiResourcesService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequirePermission('api_resources.write')
  @DocumentedResponse(ApiResourceView, 201)
  @ApiOperation({ summary: 'Register an API resource (its identifier is the RFC 8707 resource and the tokens’ aud)' })
  @ApiBody({ schema: schema(CreateApiResourceBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateApiResourceBody) body: CreateApiResourceBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApiResourceView> {
    const resource = await this.resources.create(project, body);
    await this.record('api_resource.created', project, principal, resource);
    return apiResourceView(resource);
  }

  @Get()
  @RequirePermission('api_resources.read')
  @DocumentedResponse(z.array(ApiResourceView))
  @ApiOperation({ summary: 'List API resources' })
  async list(@AdminProject() project: Project): Promise<ApiResourceView[]> {
    return (await this.resources.list(project)).map(apiResourceView);
  }

  @Get(':id')
  @RequirePermission('api_resources.read')
  @DocumentedResponse(ApiResourceView)
  @ApiOperation({ summary: 'Read an API resource' })
  async get(@AdminProject() project: Project, @Param('id') id: string): Promise<ApiResourceView> {
    return apiResourceView(await this.resources.get(project, id));
  }

  @Patch(':id')
  @RequirePermission('api_resources.write')
  @DocumentedResponse(ApiResourceView)
  @ApiOperation({
    summary:
      'Change an API resource: name, scopes, accessTokenTtlSeconds. Scopes taken away are taken out of applications’ grants too',
  })
  @ApiBody({ schema: schema(UpdateApiResourceBody) })
  async update(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(UpdateApiResourceBody) body: UpdateApiResourceBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApiResourceView> {
    const before = await this.resources.get(project, id);
    const resource = await this.resources.update(project, id, body);
    await this.record('api_resource.updated', project, principal, resource, {
      changes: auditDiff(settingsOf(before), settingsOf(resource)),
    });
    return apiResourceView(resource);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('api_resources.write')
  @DocumentedResponse(null, 204)
  @ApiOperation({
    summary: 'Delete an API resource and every application’s grant of it; tokens already issued live until they expire',
  })
  async remove(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const resource = await this.resources.get(project, id);
    await this.resources.remove(project, id);
    await this.record('api_resource.deleted', project, principal, resource);
  }

  private async record(
    type: 'api_resource.created' | 'api_resource.updated' | 'api_resource.deleted',
    project: Project,
    principal: AdminPrincipal,
    resource: ApiResource,
    data?: { changes: AuditChanges },
  ): Promise<void> {
    await this.audit.record(type, {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'api_resource', id: resource.identifier },
      ...(data ? { data } : {}),
    });
  }
}

/** What an update changes, for the audit diff (not the timestamps). */
const settingsOf = ({ name, scopes, accessTokenTtlSeconds }: ApiResource) => ({ name, scopes, accessTokenTtlSeconds });

const apiResourceView = ({
  id,
  identifier,
  name,
  scopes,
  accessTokenTtlSeconds,
  createdAt,
  updatedAt,
}: ApiResource): ApiResourceView => ({
  id,
  identifier,
  name,
  scopes: scopes.map(({ name: scope, description }) => ({ name: scope, description })),
  accessTokenTtlSeconds,
  createdAt: createdAt.toISOString(),
  updatedAt: updatedAt.toISOString(),
});
