import { Controller, Delete, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { TotpService } from '../../methods/totp/totp.service';
import { AccessTokenVerifier } from '../../domain/sessions/access-token.verifier';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';

const VerifyTotpBody = z.object({ token: z.string().max(16) }).strict();
type VerifyTotpBody = z.infer<typeof VerifyTotpBody>;

/**
 * Self-service TOTP for a signed-in user (Bearer access token): start enrollment (secret + otpauth URI
 * for the QR code), confirm it with a first code, remove it.
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('t/:tenant/me/totp')
export class MeTotpController {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly totp: TotpService,
    private readonly audit: AuditService,
    private readonly privileged: PrivilegedSessions,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start TOTP enrollment: a new secret and its otpauth:// URI, unconfirmed until verified' })
  async start(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<{ secret: string; otpauthUri: string }> {
    const { identity } = await this.tokens.verify(project, authorization);
    const label = String((identity.traits as Record<string, unknown>)['email'] ?? identity.id);
    const enrollment = await this.totp.startEnrollment(identity.id, project.name, label);
    if (!enrollment) throw ApiError.conflict('An authenticator app is already set up; remove it (DELETE) before enrolling another.');
    return enrollment;
  }

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm TOTP enrollment with a code from the authenticator app' })
  @ApiBody({ schema: z.toJSONSchema(VerifyTotpBody) as object })
  async verify(
    @Tenant() project: Project,
    @JsonBody(VerifyTotpBody) body: VerifyTotpBody,
    @Headers('authorization') authorization?: string,
  ): Promise<{ confirmed: true }> {
    const { identity } = await this.tokens.verify(project, authorization);
    const result = await this.totp.confirmEnrollment(identity.id, body.token.trim());
    if (result === 'not-pending') throw ApiError.conflict('There is no TOTP enrollment waiting for confirmation; start one with POST first.');
    if (result === 'invalid') throw ApiError.badRequest('token: the code does not match; check the device clock and try the current code.');
    await this.audit.record('totp.enrolled', { projectId: project.id, identityId: identity.id });
    return { confirmed: true };
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove TOTP (confirmed or pending); needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)' })
  async remove(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<void> {
    const { identity, sessionId } = await this.tokens.verify(project, authorization);
    // Removing a factor weakens the account: a stolen, long-lived session must not be enough.
    await this.privileged.require(project, sessionId);
    if (!(await this.totp.remove(identity.id))) throw ApiError.notFound('No authenticator app is set up.');
    await this.audit.record('totp.removed', { projectId: project.id, identityId: identity.id });
  }
}
