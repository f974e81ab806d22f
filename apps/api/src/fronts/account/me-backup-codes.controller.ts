import { Controller, Get, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { DEFAULT_BACKUP_CODE_COUNT, MAX_BACKUP_CODE_COUNT } from '../../methods/backup-codes/backup-code-format';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { ApiError } from '../../infra/http/errors';
import { fieldErrors } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { AccessTokenGuard, CurrentIdentity } from '../guards/access-token.guard';
import { RequirePrivilegedSession } from '../guards/privileged-session.guard';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { TenantPathParam } from '../../infra/http/documented-response';

const GenerateBody = z.object({ count: z.number().int().min(5).max(MAX_BACKUP_CODE_COUNT).optional() }).strict();

/**
 * Self-service backup codes for a signed-in user (Bearer access token): generate a new set (replacing
 * the old one; the codes are shown once) and read how many are left.
 */
@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@TenantPathParam()
@Controller('t/:tenant/me/backup-codes')
export class MeBackupCodesController {
  constructor(
    private readonly backupCodes: BackupCodesService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  // A new set voids the old one and hands out codes that pass a second step: only for a recent sign-in.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary: `Generate a new set of one-time backup codes (default ${DEFAULT_BACKUP_CODE_COUNT}); the previous set stops working. Needs a recent sign-in (403 KW-40301 otherwise)`,
  })
  @ApiBody({ required: false, schema: z.toJSONSchema(GenerateBody) as object })
  async generate(
    @Tenant() project: Project,
    @Req() request: FastifyRequest,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<{ codes: string[]; createdAt: string }> {
    // The body is optional (most callers just POST), so it is parsed here rather than by @JsonBody.
    const body = request.body ?? {};
    const parsed = GenerateBody.safeParse(body);
    if (!parsed.success) throw ApiError.invalidFields(fieldErrors(GenerateBody, body, parsed.error));
    const generated = await this.backupCodes.generate(identity.id, parsed.data.count);
    await this.audit.record('backup_codes.generated', {
      projectId: project.id,
      identityId: identity.id,
      data: { count: generated.codes.length },
    });
    return generated;
  }

  @Get()
  @ApiOperation({ summary: 'How many unused backup codes remain, and when the set was generated (null if never)' })
  status(@CurrentIdentity() identity: CurrentIdentity): Promise<{ remaining: number; createdAt: string | null }> {
    return this.backupCodes.status(identity.id);
  }
}
