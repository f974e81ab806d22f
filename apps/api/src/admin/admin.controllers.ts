import { Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Application } from '../domain/applications/application';
import { ApplicationsService } from '../domain/applications/applications.service';
import { auditDiff } from '../domain/audit/audit-diff';
import { AuditService } from '../domain/audit/audit.service';
import { ApiError } from '../infra/http/errors';
import { JsonBody } from '../infra/http/zod-pipes';
import { LoginFlowValidator } from '../flows/engine/login-flow.validator';
import { ProjectsService, type Project } from '../domain/projects/projects.service';
import { AccessRepository } from '../domain/access/access.repository';
import { AccessService, type AdminPrincipal } from '../domain/access/access.service';
import { actorOf } from './auth/actor';
import { AdminAuth } from './auth/admin-auth.decorator';
import { CurrentPrincipal, RequireInstanceOwner, RequirePermission, RequireSignedIn } from './auth/require-permission';
import { AdminProject } from './auth/admin-project.pipe';
import { CreateApplicationBody, CreateProjectBody, UpdateApplicationBody, UpdateProjectBody } from './admin.dto';

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
  @ApiOperation({ summary: 'List the projects the caller may see' })
  async list(@CurrentPrincipal() principal: AdminPrincipal): Promise<ProjectView[]> {
    const visible: ProjectView[] = [];
    for (const project of await this.projects.list())
      if ((await this.access.permissionsIn(principal, project)).size > 0) visible.push(projectView(project));
    return visible;
  }

  @Get(':slug')
  @RequirePermission('projects.read')
  @ApiOperation({ summary: 'Read a project' })
  get(@AdminProject() project: Project): ProjectView {
    return projectView(project);
  }

  @Patch(':slug')
  @RequirePermission('projects.write')
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
}

@ApiTags('admin: applications')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/applications')
export class ApplicationsAdminController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly loginFlows: LoginFlowValidator,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequirePermission('applications.write')
  @ApiOperation({ summary: 'Register an OAuth client; a confidential client secret is returned once' })
  @ApiBody({ schema: schema(CreateApplicationBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateApplicationBody) body: CreateApplicationBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApplicationView & { clientSecret?: string }> {
    this.checkSettings(body);
    const { application, clientSecret } = await this.applications.create(project.id, body);
    await this.audit.record('application.created', {
      projectId: project.id,
      clientId: application.clientId,
      ...actorOf(principal),
      target: { type: 'application', id: application.clientId },
    });
    return { ...applicationView(application), ...(clientSecret ? { clientSecret } : {}) };
  }

  @Patch(':clientId')
  @RequirePermission('applications.write')
  @ApiOperation({
    summary: 'Change an application: name, redirectUris, grantTypes, appNative, loginFlow, allowEnrollmentInFlow',
  })
  @ApiBody({ schema: schema(UpdateApplicationBody) })
  async update(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @JsonBody(UpdateApplicationBody) body: UpdateApplicationBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApplicationView> {
    this.checkSettings(body);
    // Read afresh (not through the short-lived cache): the diff must start from what is stored.
    const before = (await this.applications.list(project.id)).find((candidate) => candidate.clientId === clientId);
    const application = await this.applications.update(project.id, clientId, body);
    await this.audit.record('application.updated', {
      projectId: project.id,
      clientId,
      ...actorOf(principal),
      target: { type: 'application', id: clientId },
      data: { changes: auditDiff(before && applicationView(before), applicationView(application)) },
    });
    return applicationView(application);
  }

  /** Rules across fields and against the server's authenticators, beyond what the body schema checks. */
  private checkSettings(body: { grantTypes?: string[] | undefined; loginFlow?: string[][] | undefined }): void {
    if (body.grantTypes?.includes('refresh_token') && !body.grantTypes.includes('authorization_code')) {
      throw ApiError.badRequest('grantTypes: refresh_token needs authorization_code.');
    }
    const problems = body.loginFlow ? this.loginFlows.problems(body.loginFlow) : [];
    if (problems.length) throw ApiError.badRequest(problems.join('; '));
  }

  @Get()
  @RequirePermission('applications.read')
  @ApiOperation({ summary: 'List applications' })
  async list(@AdminProject() project: Project): Promise<ApplicationView[]> {
    return (await this.applications.list(project.id)).map(applicationView);
  }
}

type ProjectView = Pick<Project, 'id' | 'slug' | 'name' | 'issuer' | 'settings'>;
const projectView = ({ id, slug, name, issuer, settings }: Project): ProjectView => ({
  id,
  slug,
  name,
  issuer,
  settings,
});

type ApplicationView = Omit<Application, 'id' | 'projectId' | 'clientSecretHash'>;
const applicationView = ({
  clientId,
  name,
  type,
  redirectUris,
  grantTypes,
  appNative,
  loginFlow,
  allowEnrollmentInFlow,
}: Application): ApplicationView => ({
  clientId,
  name,
  type,
  redirectUris,
  grantTypes,
  appNative,
  loginFlow,
  allowEnrollmentInFlow,
});
