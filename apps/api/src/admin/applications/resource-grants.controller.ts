import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResourceGrantsView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import type { ResourceGrant } from '../../domain/api-resources/api-resource';
import { ApiResourcesService } from '../../domain/api-resources/api-resources.service';
import type { Application } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { auditDiff } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import { ReplaceResourceGrantsBody } from '../api-resources/api-resources.dto';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** Which API resources, and which of their scopes, a confidential application may get with client_credentials. */
@ApiTags('admin: applications')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/applications/:clientId/resource-grants')
export class ResourceGrantsAdminController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly resources: ApiResourcesService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequirePermission('applications.read')
  @DocumentedResponse(ResourceGrantsView)
  @ApiOperation({ summary: 'What the application may get with client_credentials: API resources and their scopes' })
  async get(@AdminProject() project: Project, @Param('clientId') clientId: string): Promise<ResourceGrantsView> {
    const application = await this.application(project, clientId);
    return grantsView(await this.resources.grantsOf(application));
  }

  @Put()
  @RequirePermission('applications.write')
  @DocumentedResponse(ResourceGrantsView)
  @ApiOperation({
    summary:
      'Replace what a confidential application may get with client_credentials (resources by identifier, scopes they define)',
  })
  @ApiBody({ schema: schema(ReplaceResourceGrantsBody) })
  async replace(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @JsonBody(ReplaceResourceGrantsBody) body: ReplaceResourceGrantsBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ResourceGrantsView> {
    const application = await this.application(project, clientId);
    const before = grantsView(await this.resources.grantsOf(application));
    const after = grantsView(await this.resources.replaceGrants(project, application, body.grants));
    await this.audit.record('application.resource_grants_updated', {
      projectId: project.id,
      clientId,
      ...actorOf(principal),
      target: { type: 'application', id: clientId },
      data: { changes: auditDiff(byResource(before), byResource(after)) },
    });
    return after;
  }

  private async application(project: Project, clientId: string): Promise<Application> {
    const application = await this.applications.findByClientId(project.id, clientId);
    if (!application) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
    return application;
  }
}

function grantsView(grants: readonly ResourceGrant[]): ResourceGrantsView {
  return {
    grants: grants.map(({ resource, scopes }) => ({
      resource: resource.identifier,
      resourceId: resource.id,
      name: resource.name,
      scopes,
    })),
  };
}

/** Keyed by identifier, so the audit diff names each resource whose grant changed. */
function byResource({ grants }: ResourceGrantsView): Record<string, string[]> {
  return Object.fromEntries(grants.map((grant) => [grant.resource, grant.scopes]));
}
