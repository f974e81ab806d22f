import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokenIssuerView, TokenIssuerWithSecretView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { auditDiff, type AuditChanges } from '../../domain/audit/audit-diff';
import { AuditService } from '../../domain/audit/audit.service';
import type { TrustedTokenIssuer } from '../../domain/external-tokens/trusted-token-issuer';
import { TrustedTokenIssuersService } from '../../domain/external-tokens/trusted-token-issuers.service';
import type { Project } from '../../domain/projects/projects.service';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { JsonBody } from '../../infra/http/zod-pipes';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { CreateTokenIssuerBody, UpdateTokenIssuerBody } from './token-issuers.dto';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/**
 * The project's trusted token issuers: partner backends whose tokens sign end users in (RFC 8693 token exchange,
 * a login-flow option). Under the connections permissions: like a connection, an issuer decides who may sign in.
 */
@ApiTags('admin: token issuers')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/token-issuers')
export class TokenIssuersAdminController {
  constructor(
    private readonly issuers: TrustedTokenIssuersService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequirePermission('connections.write')
  @DocumentedResponse(TokenIssuerWithSecretView, 201)
  @ApiOperation({
    summary:
      'Create a token issuer: jwt (issuer, audiences, jwksUri or jwks) or opaque (callbackUrl; the callback secret is returned this once)',
  })
  @ApiBody({ schema: schema(CreateTokenIssuerBody) })
  async create(
    @AdminProject() project: Project,
    @JsonBody(CreateTokenIssuerBody) body: CreateTokenIssuerBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<TokenIssuerWithSecretView> {
    const { issuer, callbackSecret } = await this.issuers.create(project, body);
    await this.record('token_issuer.created', project, principal, issuer);
    return { ...tokenIssuerView(issuer), ...(callbackSecret ? { callbackSecret } : {}) };
  }

  @Get()
  @RequirePermission('connections.read')
  @DocumentedResponse(z.array(TokenIssuerView))
  @ApiOperation({ summary: 'List token issuers' })
  async list(@AdminProject() project: Project): Promise<TokenIssuerView[]> {
    return (await this.issuers.list(project)).map(tokenIssuerView);
  }

  @Get(':id')
  @RequirePermission('connections.read')
  @DocumentedResponse(TokenIssuerView)
  @ApiOperation({
    summary: 'Read a token issuer (never its callback secret: callbackSecretSet says whether one is set)',
  })
  async get(@AdminProject() project: Project, @Param('id') id: string): Promise<TokenIssuerView> {
    return tokenIssuerView(await this.issuers.get(project, id));
  }

  @Patch(':id')
  @RequirePermission('connections.write')
  @DocumentedResponse(TokenIssuerView)
  @ApiOperation({ summary: 'Change a token issuer; name and mode never change, nor settings of the other mode' })
  @ApiBody({ schema: schema(UpdateTokenIssuerBody) })
  async update(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(UpdateTokenIssuerBody) body: UpdateTokenIssuerBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<TokenIssuerView> {
    const before = await this.issuers.get(project, id);
    const issuer = await this.issuers.update(project, id, body);
    await this.record('token_issuer.updated', project, principal, issuer, {
      changes: auditDiff(settingsOf(before), settingsOf(issuer)),
    });
    return tokenIssuerView(issuer);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission('connections.write')
  @DocumentedResponse(TokenIssuerWithSecretView)
  @ApiOperation({
    summary: 'Opaque mode: a new callback secret, returned this once; the old one stops signing calls at once',
  })
  async rotateSecret(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<TokenIssuerWithSecretView> {
    const { issuer, callbackSecret } = await this.issuers.rotateSecret(project, id);
    await this.record('token_issuer.secret_rotated', project, principal, issuer);
    return { ...tokenIssuerView(issuer), ...(callbackSecret ? { callbackSecret } : {}) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('connections.write')
  @DocumentedResponse(null, 204)
  @ApiOperation({ summary: 'Delete a token issuer (its tokens sign no one in any more)' })
  async remove(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const issuer = await this.issuers.get(project, id);
    await this.issuers.remove(project, id);
    await this.record('token_issuer.deleted', project, principal, issuer);
  }

  private async record(
    type: 'token_issuer.created' | 'token_issuer.updated' | 'token_issuer.secret_rotated' | 'token_issuer.deleted',
    project: Project,
    principal: AdminPrincipal,
    issuer: TrustedTokenIssuer,
    data?: { changes: AuditChanges },
  ): Promise<void> {
    await this.audit.record(type, {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'token_issuer', id: issuer.name },
      ...(data ? { data } : {}),
    });
  }
}

/** What an update changes, for the audit diff (never the secret, not the timestamps). */
const settingsOf = (issuer: TrustedTokenIssuer) => {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...settings } = tokenIssuerView(issuer);
  return settings;
};

function tokenIssuerView(issuer: TrustedTokenIssuer): TokenIssuerView {
  return {
    id: issuer.id,
    name: issuer.name,
    mode: issuer.mode,
    issuer: issuer.issuer,
    audiences: issuer.audiences,
    jwksUri: issuer.jwksUri,
    jwks: issuer.jwks,
    allowedAlgs: issuer.allowedAlgs,
    callbackUrl: issuer.callbackUrl,
    callbackSecretSet: issuer.callbackSecretSet,
    callbackTimeoutMs: issuer.callbackTimeoutMs,
    subjectClaim: issuer.subjectClaim,
    claimMapping: issuer.claimMapping,
    updatePolicy: issuer.updatePolicy,
    applications: issuer.applications.map(({ clientId }) => clientId),
    createdAt: issuer.createdAt.toISOString(),
    updatedAt: issuer.updatedAt.toISOString(),
  };
}
