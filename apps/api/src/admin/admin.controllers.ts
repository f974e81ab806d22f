import { Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../domain/access/access.service';
import { AuditService } from '../domain/audit/audit.service';
import type { IdentityRow } from '../domain/identities/identities.repository';
import type { Project } from '../domain/projects/projects.service';
import { ApiError } from '../infra/http/errors';
import { isUuid } from '../infra/http/ids';
import { JsonBody } from '../infra/http/zod-pipes';
import { AdminProject } from './admin-project.pipe';
import { CreateIdentityBody } from './admin.dto';
import { actorOf } from './auth/actor';
import { AdminAuth } from './auth/admin-auth.decorator';
import { CurrentPrincipal, RequirePermission } from './auth/require-permission';
import { IdentitiesService, type CredentialSummary, type VerifiableAddressView } from './identities/identities.service';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

@ApiTags('admin: identities')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/identities')
export class IdentitiesAdminController {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly audit: AuditService,
  ) {}

  @Post()
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
    const imported = Object.keys(credentials);
    await this.audit.record('identity.created', {
      projectId: project.id,
      identityId: identity.id,
      ...actorOf(principal),
      target: { type: 'identity', id: identity.id },
      data: { credentials: imported },
    });
    return identityView(identity);
  }

  @Get()
  @RequirePermission('identities.read')
  @ApiOperation({ summary: 'List identities (first 100)' })
  async list(@AdminProject() project: Project): Promise<IdentityView[]> {
    return (await this.identities.list(project.id)).map(identityView);
  }

  @Get(':id')
  @RequirePermission('identities.read')
  @ApiOperation({
    summary: 'Read an identity, with a summary of its credentials (types, password hash algorithm; never secrets)',
  })
  async get(
    @AdminProject() project: Project,
    @Param('id') id: string,
  ): Promise<IdentityView & { credentials: CredentialSummary[]; verifiableAddresses: VerifiableAddressView[] }> {
    const identity = isUuid(id) ? await this.identities.findById(project.id, id) : null;
    if (!identity) throw ApiError.notFound(`No identity '${id}' in project '${project.slug}'.`);
    return {
      ...identityView(identity),
      credentials: await this.identities.credentialSummaries(identity.id),
      verifiableAddresses: await this.identities.verifiableAddresses(identity.id),
    };
  }
}

interface IdentityView {
  id: string;
  traits: unknown;
  state: string;
  schemaVersion: number;
  lockedUntil: string | null;
  createdAt: string;
}
const identityView = (identity: IdentityRow): IdentityView => ({
  id: identity.id,
  traits: identity.traits,
  state: identity.state,
  schemaVersion: identity.schemaVersion,
  lockedUntil: identity.lockedUntil?.toISOString() ?? null,
  createdAt: identity.createdAt.toISOString(),
});
