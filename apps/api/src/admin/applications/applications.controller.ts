import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationView, ApplicationWithSecret, CreatedApplication, LoginFlowPreview } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { TOKEN_EXCHANGE_GRANT, type Application } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { auditDiff } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import type { Project } from '../../domain/projects/projects.service';
import { CONSOLE_CLIENT_ID, SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { FlowEngine } from '../../flows/engine/flow-engine.service';
import { LoginFlowValidator } from '../../flows/engine/login-flow.validator';
import { jwksUriScheme } from '../../domain/applications/client-authentication-settings';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { ApiError, fieldError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminProject } from '../auth/admin-project.pipe';
import { DocumentedResponse } from '../../infra/http/documented-response';
import {
  CreateApplicationBody,
  PreviewLoginFlowBody,
  RotateSecretBody,
  UpdateApplicationBody,
} from './applications.dto';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

@ApiTags('admin: applications')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/applications')
export class ApplicationsAdminController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly loginFlows: LoginFlowValidator,
    private readonly engine: FlowEngine,
    private readonly audit: AuditService,
    @Inject(KEYWAY_CONFIG) private readonly config: Pick<KeywayConfig, 'production'>,
  ) {}

  @Post()
  @RequirePermission('applications.write')
  @DocumentedResponse(CreatedApplication, 201)
  @ApiOperation({ summary: 'Register an OAuth client; a confidential client secret is returned once' })
  @ApiBody({ schema: schema(CreateApplicationBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateApplicationBody) body: CreateApplicationBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<CreatedApplication> {
    this.checkSettings(body, body);
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
  @DocumentedResponse(ApplicationView)
  @ApiOperation({
    summary:
      'Change an application: name, redirectUris, postLogoutRedirectUris, grantTypes, appNative, loginFlow, allowEnrollmentInFlow, backchannelLogoutUri, idTokenSignedResponseAlg, client authentication (tokenEndpointAuthMethod, jwks, jwksUri; switching to private_key_jwt drops the secret, switching back needs a rotation)',
  })
  @ApiBody({ schema: schema(UpdateApplicationBody) })
  async update(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @JsonBody(UpdateApplicationBody) body: UpdateApplicationBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApplicationView> {
    if (
      project.slug === SYSTEM_PROJECT_SLUG &&
      clientId === CONSOLE_CLIENT_ID &&
      (body.tokenEndpointAuthMethod ?? 'client_secret_basic') !== 'client_secret_basic'
    )
      throw ApiError.badRequest('The console client authenticates with client_secret_basic; that cannot change.');
    // Read afresh (not through the short-lived cache): the diff must start from what is stored.
    const before = (await this.applications.list(project.id)).find((candidate) => candidate.clientId === clientId);
    if (before) this.checkSettings(body, { ...before, ...body });
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

  @Get(':clientId')
  @RequirePermission('applications.read')
  @DocumentedResponse(ApplicationView)
  @ApiOperation({ summary: 'Read an application' })
  async get(@AdminProject() project: Project, @Param('clientId') clientId: string): Promise<ApplicationView> {
    const application = await this.applications.findByClientId(project.id, clientId);
    if (!application) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
    return applicationView(application);
  }

  @Post(':clientId/login-flow/preview')
  @HttpCode(200)
  @RequirePermission('applications.read')
  @DocumentedResponse(LoginFlowPreview)
  @ApiOperation({
    summary:
      'The first prompt the app would get with this login flow (as /oauth2/authorize answers), from the engine itself; nothing is stored, sent or started',
  })
  @ApiBody({ schema: schema(PreviewLoginFlowBody) })
  async previewLoginFlow(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @JsonBody(PreviewLoginFlowBody) body: PreviewLoginFlowBody,
  ): Promise<LoginFlowPreview> {
    this.checkSettings(body, undefined);
    const application = await this.applications.findByClientId(project.id, clientId);
    if (!application) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
    return { nextStep: await this.engine.previewFirstStep(project, { ...application, loginFlow: body.loginFlow }) };
  }

  @Post(':clientId/secret')
  @RequirePermission('applications.write')
  @DocumentedResponse(ApplicationWithSecret, 201)
  @ApiOperation({
    summary:
      'Rotate a confidential client secret (client_secret_basic / _post): the new one is returned once; the old one stays valid for graceSeconds',
  })
  @ApiBody({ schema: schema(RotateSecretBody) })
  async rotateSecret(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @JsonBody(RotateSecretBody) body: RotateSecretBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ApplicationWithSecret> {
    if (project.slug === SYSTEM_PROJECT_SLUG && clientId === CONSOLE_CLIENT_ID)
      throw ApiError.badRequest("The console's secret comes from KEYWAY_CONSOLE_CLIENT_SECRET; change it there.");
    const { application, clientSecret } = await this.applications.rotateSecret(project.id, clientId, body.graceSeconds);
    await this.audit.record('application.secret_rotated', {
      projectId: project.id,
      clientId,
      ...actorOf(principal),
      target: { type: 'application', id: clientId },
      data: { graceSeconds: body.graceSeconds },
    });
    return { ...applicationView(application), clientSecret };
  }

  @Delete(':clientId')
  @HttpCode(204)
  @RequirePermission('applications.write')
  @DocumentedResponse(null, 204)
  @ApiOperation({ summary: 'Delete an application with its running flows, codes and refresh tokens' })
  async remove(
    @AdminProject() project: Project,
    @Param('clientId') clientId: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    if (project.slug === SYSTEM_PROJECT_SLUG && clientId === CONSOLE_CLIENT_ID)
      throw ApiError.badRequest('The console client cannot be deleted: staff sign in through it.');
    await this.applications.remove(project.id, clientId);
    await this.audit.record('application.deleted', {
      projectId: project.id,
      clientId,
      ...actorOf(principal),
      target: { type: 'application', id: clientId },
    });
  }
  /**
   * Rules across fields and against the server's authenticators, beyond what the body schema checks; `result` is
   * the application as it would be (the body over what is stored), when there is one.
   */
  private checkSettings(
    body: {
      grantTypes?: string[] | undefined;
      loginFlow?: string[][] | undefined;
      jwksUri?: string | null | undefined;
    },
    result: Pick<Application, 'type' | 'grantTypes' | 'redirectUris'> | undefined,
  ): void {
    // A refresh token continues a user's sign-in: a login (authorization_code) or a partner's token (exchange).
    if (
      body.grantTypes?.includes('refresh_token') &&
      !body.grantTypes.includes('authorization_code') &&
      !body.grantTypes.includes(TOKEN_EXCHANGE_GRANT)
    ) {
      throw ApiError.badRequest('grantTypes: refresh_token needs authorization_code or token exchange.');
    }
    if (body.jwksUri && this.config.production && jwksUriScheme(body.jwksUri) !== 'https')
      throw ApiError.badRequest('jwksUri: must be https in production.');
    // RFC 6749 §2.1/§4.4: only a client that can keep a secret may get tokens for itself.
    if (result?.type === 'public' && result.grantTypes.includes('client_credentials'))
      throw ApiError.badRequest('grantTypes: client_credentials is for confidential applications only.');
    // A client that only calls APIs (client_credentials) never redirects a browser.
    if (result?.grantTypes.includes('authorization_code') && result.redirectUris.length === 0)
      throw ApiError.invalidFields([
        fieldError('redirectUris', 'msg_field_invalid', 'at least one redirect URI is required for authorization_code'),
      ]);
    const problems = body.loginFlow ? this.loginFlows.problems(body.loginFlow) : [];
    if (problems.length) throw ApiError.badRequest(problems.join('; '));
  }

  @Get()
  @RequirePermission('applications.read')
  @DocumentedResponse(z.array(ApplicationView))
  @ApiOperation({ summary: 'List applications' })
  async list(@AdminProject() project: Project): Promise<ApplicationView[]> {
    return (await this.applications.list(project.id)).map(applicationView);
  }
}

const applicationView = ({
  clientId,
  name,
  type,
  redirectUris,
  postLogoutRedirectUris,
  grantTypes,
  appNative,
  loginFlow,
  allowEnrollmentInFlow,
  backchannelLogoutUri,
  idTokenSignedResponseAlg,
  tokenEndpointAuthMethod,
  jwks,
  jwksUri,
  previousSecretExpiresAt,
}: Application): ApplicationView => ({
  clientId,
  name,
  type,
  redirectUris,
  postLogoutRedirectUris,
  grantTypes,
  appNative,
  loginFlow,
  allowEnrollmentInFlow,
  backchannelLogoutUri,
  idTokenSignedResponseAlg,
  tokenEndpointAuthMethod,
  ...(jwks ? { jwks: jwks as ApplicationView['jwks'] & object } : {}),
  ...(jwksUri ? { jwksUri } : {}),
  ...(previousSecretExpiresAt && previousSecretExpiresAt.getTime() > Date.now()
    ? { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() }
    : {}),
});
