import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConnectionDeletionView, ConnectionTestView, ConnectionView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { auditDiff, REDACTED, type AuditChanges } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import type { Connection } from '../../domain/connections/connection';
import { ConnectionsService } from '../../domain/connections/connections.service';
import type { Project } from '../../domain/projects/projects.service';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { JsonBody } from '../../infra/http/zod-pipes';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { CreateConnectionBody, UpdateConnectionBody } from './connections.dto';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** The project's connections to upstream identity providers (Google, Apple, Microsoft, GitHub, OIDC…). */
@ApiTags('admin: connections')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/connections')
export class ConnectionsAdminController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequirePermission('connections.write')
  @DocumentedResponse(ConnectionView, 201)
  @ApiOperation({
    summary:
      'Create a connection from a preset (its endpoints, scopes and claim mapping filled in); generic OIDC reads its discovery document',
  })
  @ApiBody({ schema: schema(CreateConnectionBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateConnectionBody) body: CreateConnectionBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ConnectionView> {
    const connection = await this.connections.create(project, body);
    await this.record('connection.created', project, principal, connection);
    return connectionView(connection);
  }

  @Get()
  @RequirePermission('connections.read')
  @DocumentedResponse(z.array(ConnectionView))
  @ApiOperation({ summary: 'List connections' })
  async list(@AdminProject() project: Project): Promise<ConnectionView[]> {
    return (await this.connections.list(project)).map(connectionView);
  }

  @Get(':id')
  @RequirePermission('connections.read')
  @DocumentedResponse(ConnectionView)
  @ApiOperation({ summary: 'Read a connection (never its client secret: clientSecretSet says whether one is set)' })
  async get(@AdminProject() project: Project, @Param('id') id: string): Promise<ConnectionView> {
    return connectionView(await this.connections.get(project, id));
  }

  @Patch(':id')
  @RequirePermission('connections.write')
  @DocumentedResponse(ConnectionView)
  @ApiOperation({
    summary: 'Change a connection; name and preset never change. clientSecret: omitted keeps it, null removes it',
  })
  @ApiBody({ schema: schema(UpdateConnectionBody) })
  async update(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(UpdateConnectionBody) body: UpdateConnectionBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ConnectionView> {
    const before = await this.connections.get(project, id);
    const connection = await this.connections.update(project, id, body);
    const changes = auditDiff(settingsOf(before), settingsOf(connection));
    // The secret's value never reaches the log; that it was replaced does.
    if (body.clientSecret !== undefined)
      changes['clientSecret'] = { before: REDACTED, after: body.clientSecret === null ? null : REDACTED };
    await this.record('connection.updated', project, principal, connection, { changes });
    return connectionView(connection);
  }

  @Delete(':id')
  @HttpCode(200)
  @RequirePermission('connections.write')
  @DocumentedResponse(ConnectionDeletionView)
  @ApiOperation({
    summary:
      "Delete a connection with every user's link to it (in one transaction); says how many links went and how many users were left without a way to sign in",
  })
  async remove(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ConnectionDeletionView> {
    const connection = await this.connections.get(project, id);
    const deletion = await this.connections.remove(project, id);
    await this.record('connection.deleted', project, principal, connection, { deletion });
    return deletion;
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequirePermission('connections.write')
  @DocumentedResponse(ConnectionTestView)
  @ApiOperation({
    summary:
      'Check what can be checked without a user: discovery and its issuer, the JWKS, the token endpoint (no secret is sent)',
  })
  test(@AdminProject() project: Project, @Param('id') id: string): Promise<ConnectionTestView> {
    return this.connections.test(project, id);
  }

  private async record(
    type: 'connection.created' | 'connection.updated' | 'connection.deleted',
    project: Project,
    principal: AdminPrincipal,
    connection: Connection,
    data?: { changes: AuditChanges } | { deletion: ConnectionDeletionView },
  ): Promise<void> {
    await this.audit.record(type, {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'connection', id: connection.name },
      ...(data ? { data } : {}),
    });
  }
}

/** What an update changes, for the audit diff (never the secret, not the timestamps). */
const settingsOf = (connection: Connection) => {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...settings } = connectionView(connection);
  return settings;
};

function connectionView(connection: Connection): ConnectionView {
  return {
    id: connection.id,
    name: connection.name,
    kind: connection.kind,
    preset: connection.preset,
    clientId: connection.clientId,
    clientSecretSet: connection.clientSecretSet,
    allowedAudiences: connection.allowedAudiences,
    scopes: connection.scopes,
    issuer: connection.issuer,
    authorizationUrl: connection.authorizationUrl,
    tokenUrl: connection.tokenUrl,
    userinfoUrl: connection.userinfoUrl,
    jwksUri: connection.jwksUri,
    discoveryUrl: connection.discoveryUrl,
    claimMapping: connection.claimMapping,
    trustEmailVerified: connection.trustEmailVerified,
    linkingPolicy: connection.linkingPolicy,
    applications: connection.applications.map(({ clientId, mode }) => ({ clientId, mode })),
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
