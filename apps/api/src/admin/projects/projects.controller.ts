import { Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ProjectView } from '@keyway/admin-api';
import { z } from 'zod';
import { AccessRepository } from '../../domain/access/access.repository';
import { AccessService, type AdminPrincipal } from '../../domain/access/access.service';
import { auditDiff } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { CreateProjectBody, UpdateProjectBody } from './projects.dto';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequireInstanceOwner, RequirePermission, RequireSignedIn } from '../auth/require-permission';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

@ApiTags('admin: projects')
@AdminAuth()
@Controller('api/admin/v1/projects')
export class ProjectsAdminController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly accessRepository: AccessRepository,
  ) {}

  @Post()
  @RequireInstanceOwner()
  @DocumentedResponse(ProjectView, 201)
  @ApiOperation({ summary: 'Create a project (tenant) with its own issuer and signing keys' })
  @ApiBody({ schema: schema(CreateProjectBody) })
  async create(
    @JsonBody(CreateProjectBody) body: CreateProjectBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ProjectView> {
    const project = await this.projects.create(body);
    // A console user who creates a project owns it (instance owners may act everywhere, but membership shows it).
    if (principal.kind === 'console-user')
      await this.accessRepository.upsertMembership(undefined, project.id, principal.identityId, 'owner');
    await this.audit.record('project.created', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'project', id: project.slug },
      data: { slug: project.slug },
    });
    return projectView(project);
  }

  @Get()
  @RequireSignedIn()
  @DocumentedResponse(z.array(ProjectView))
  @ApiOperation({ summary: 'List the projects the caller may see' })
  async list(@CurrentPrincipal() principal: AdminPrincipal): Promise<ProjectView[]> {
    const visible: ProjectView[] = [];
    for (const project of await this.projects.list())
      if ((await this.access.permissionsIn(principal, project)).size > 0) visible.push(projectView(project));
    return visible;
  }

  @Get(':slug')
  @RequirePermission('projects.read')
  @DocumentedResponse(ProjectView)
  @ApiOperation({ summary: 'Read a project' })
  get(@AdminProject() project: Project): ProjectView {
    return projectView(project);
  }

  @Patch(':slug')
  @RequirePermission('projects.write')
  @DocumentedResponse(ProjectView)
  @ApiOperation({ summary: 'Change a project: name, settings (merged over the current ones)' })
  @ApiBody({ schema: schema(UpdateProjectBody) })
  async update(
    @AdminProject() project: Project,
    @JsonBody(UpdateProjectBody) body: UpdateProjectBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ProjectView> {
    const updated = await this.projects.update(project, body);
    await this.audit.record('project.updated', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'project', id: project.slug },
      data: { changes: auditDiff(projectView(project), projectView(updated)) },
    });
    return projectView(updated);
  }

  @Delete(':slug')
  @HttpCode(204)
  @RequirePermission('projects.delete')
  @DocumentedResponse(null, 204)
  @ApiOperation({
    summary: 'Delete a project with everything in it (identities, applications, keys); ?confirm=<slug> is required',
  })
  @ApiQuery({ name: 'confirm', type: String, required: true, description: "The project's slug again, to confirm" })
  async remove(
    @AdminProject() project: Project,
    @Query('confirm') confirm: string | undefined,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    if (project.slug === SYSTEM_PROJECT_SLUG)
      throw ApiError.badRequest('The console project cannot be deleted: its identities are the console users.');
    // An irreversible action names what it destroys: a wrong tab or a stale form cannot delete the wrong project.
    if (confirm !== project.slug)
      throw ApiError.badRequest(`confirm: repeat the project's slug ('${project.slug}') to delete it.`);
    await this.projects.remove(project);
    await this.audit.record('project.deleted', {
      ...actorOf(principal),
      target: { type: 'project', id: project.slug },
      data: { slug: project.slug, name: project.name },
    });
  }
}

const projectView = ({ id, slug, name, issuer, settings }: Project): ProjectView => ({
  id,
  slug,
  name,
  issuer,
  settings,
});
