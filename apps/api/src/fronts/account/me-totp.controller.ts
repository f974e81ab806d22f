import { Controller, Delete, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { TotpService } from '../../methods/totp/totp.service';
import { AccessTokenGuard, CurrentIdentity } from '../guards/access-token.guard';
import { RequirePrivilegedSession } from '../guards/privileged-session.guard';

const VerifyTotpBody = z.object({ token: z.string().max(16) }).strict();
type VerifyTotpBody = z.infer<typeof VerifyTotpBody>;

/**
 * Self-service TOTP for a signed-in user (Bearer access token): start enrollment (secret + otpauth URI
 * for the QR code), confirm it with a first code, remove it. Every one of them needs a recent sign-in.
 */
@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('t/:tenant/me/totp')
export class MeTotpController {
  constructor(
    private readonly totp: TotpService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  // An authenticator app enrolled with a stolen access token would keep the account after the token expires.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Start TOTP enrollment: a new secret and its otpauth:// URI, unconfirmed until verified; needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)',
  })
  async start(
    @Tenant() project: Project,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<{ secret: string; otpauthUri: string }> {
    const label = String((identity.traits as Record<string, unknown>)['email'] ?? identity.id);
    const enrollment = await this.totp.startEnrollment(identity.id, project.name, label);
    if (!enrollment)
      throw ApiError.conflict('An authenticator app is already set up; remove it (DELETE) before enrolling another.');
    return enrollment;
  }

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  // Confirming is what makes the factor count: checked again, the window may have closed since the start.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Confirm TOTP enrollment with a code from the authenticator app; needs a recent sign-in (403 KW-40301 otherwise)',
  })
  @ApiBody({ schema: z.toJSONSchema(VerifyTotpBody) as object })
  async verify(
    @Tenant() project: Project,
    @JsonBody(VerifyTotpBody) body: VerifyTotpBody,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<{ confirmed: true }> {
    const result = await this.totp.confirmEnrollment(identity.id, body.token.trim());
    if (result === 'not-pending')
      throw ApiError.conflict('There is no TOTP enrollment waiting for confirmation; start one with POST first.');
    if (result === 'invalid')
      throw ApiError.badRequest('token: the code does not match; check the device clock and try the current code.');
    await this.audit.record('totp.enrolled', { projectId: project.id, identityId: identity.id });
    return { confirmed: true };
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  // Removing a factor weakens the account: a stolen, long-lived session must not be enough.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Remove TOTP (confirmed or pending); needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)',
  })
  async remove(@Tenant() project: Project, @CurrentIdentity() identity: CurrentIdentity): Promise<void> {
    if (!(await this.totp.remove(identity.id))) throw ApiError.notFound('No authenticator app is set up.');
    await this.audit.record('totp.removed', { projectId: project.id, identityId: identity.id });
  }
}
