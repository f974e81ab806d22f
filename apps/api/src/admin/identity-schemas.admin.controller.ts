import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { IdentitySchemaPreview, IdentitySchemaSummary, IdentitySchemaView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../domain/access/access.service';
import { actorOf } from './auth/actor';
import { CurrentPrincipal, RequirePermission } from './auth/require-permission';
import { AdminAuth } from './auth/admin-auth.decorator';
import { DocumentedResponse } from '../infra/http/documented-response';
import { AdminProject } from './auth/admin-project.pipe';
import { CreateIdentitySchemaBody, PreviewIdentitySchemaBody, SetDefaultIdentitySchemaBody } from './admin.dto';
import { auditDiff } from '../domain/audit/audit-diff';
import { AuditService } from '../domain/audit/audit.service';
import { ApiError } from '../infra/http/errors';
import { JsonBody } from '../infra/http/zod-pipes';
import type { Project } from '../domain/projects/projects.service';
import { IdentitySchemasService, type IdentitySchemaVersion } from '../domain/schemas/identity-schemas.service';
import { fieldsFromSchema } from '../domain/schemas/schema-params';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** Registered by the AdminModule, beside the other admin controllers (admin auth, project pipe). */
@ApiTags('admin: identity schemas')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/identity-schemas')
export class IdentitySchemasAdminController {
  constructor(
    private readonly schemas: IdentitySchemasService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequirePermission('schemas.write')
  @DocumentedResponse(IdentitySchemaView, 201)
  @ApiOperation({
    summary: 'Add an identity schema version (JSON Schema 2020-12 of the traits, with keyway annotations)',
  })
  @ApiBody({ schema: schema(CreateIdentitySchemaBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateIdentitySchemaBody) body: CreateIdentitySchemaBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<IdentitySchemaView> {
    const created = await this.schemas.create(project.id, body.schema, body.setDefault);
    await this.audit.record('identity_schema.created', {
      projectId: project.id,
      ...actorOf(principal),
      data: { version: created.version, isDefault: created.isDefault },
    });
    return schemaView(created);
  }

  /** What an editor shows while the schema is written: the same check and fields as `create`, nothing stored. */
  @Post('preview')
  @HttpCode(200)
  @RequirePermission('schemas.read')
  @DocumentedResponse(IdentitySchemaPreview)
  @ApiOperation({
    summary:
      'Check a schema without saving it: the registration fields it would generate, or 400 with each problem in fields',
  })
  @ApiBody({ schema: schema(PreviewIdentitySchemaBody) })
  // The guard resolves the project (404 when unknown); the preview needs nothing of it but the permission.
  @ApiParam({ name: 'slug', type: String, description: "The project's slug" })
  preview(@JsonBody(PreviewIdentitySchemaBody) body: PreviewIdentitySchemaBody): IdentitySchemaPreview {
    return { fields: fieldsFromSchema(this.schemas.check(body.schema)) };
  }

  @Get()
  @RequirePermission('schemas.read')
  @DocumentedResponse(z.array(IdentitySchemaSummary))
  @ApiOperation({ summary: 'List identity schema versions' })
  async list(@AdminProject() project: Project): Promise<IdentitySchemaSummary[]> {
    return (await this.schemas.list(project.id)).map(({ version, isDefault, createdAt }) => ({
      version,
      isDefault,
      createdAt: createdAt.toISOString(),
    }));
  }

  @Put('default')
  @RequirePermission('schemas.write')
  @DocumentedResponse(IdentitySchemaView)
  @ApiOperation({
    summary: 'Make a version the default: new identities are validated against it; existing ones keep theirs',
  })
  @ApiBody({ schema: schema(SetDefaultIdentitySchemaBody) })
  async setDefault(
    @AdminProject() project: Project,
    @JsonBody(SetDefaultIdentitySchemaBody) body: SetDefaultIdentitySchemaBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<IdentitySchemaView> {
    const before = (await this.schemas.list(project.id)).find((version) => version.isDefault)?.version ?? null;
    const updated = await this.schemas.setDefault(project.id, body.version);
    await this.audit.record('identity_schema.default_set', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'identity_schema', id: String(updated.version) },
      data: {
        version: updated.version,
        changes: auditDiff({ defaultVersion: before }, { defaultVersion: updated.version }),
      },
    });
    return schemaView(updated);
  }

  @Get(':version')
  @RequirePermission('schemas.read')
  @DocumentedResponse(IdentitySchemaView)
  @ApiOperation({ summary: 'Read a version: the schema as stored and the registration fields it generates' })
  async get(@AdminProject() project: Project, @Param('version') version: string): Promise<IdentitySchemaView> {
    if (!/^[1-9][0-9]{0,8}$/.test(version))
      throw ApiError.notFound(`No identity schema version '${version}' in project '${project.slug}'.`);
    return schemaView(await this.schemas.get(project.id, Number(version)));
  }
}

const schemaView = ({ version, isDefault, createdAt, compiled }: IdentitySchemaVersion): IdentitySchemaView => ({
  version,
  isDefault,
  createdAt: createdAt.toISOString(),
  schema: compiled.schema,
  fields: fieldsFromSchema(compiled),
});
