import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { IdentityActionResult } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import type { Project } from '../../domain/projects/projects.service';
import { JsonBody } from '../../infra/http/zod-pipes';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { HelpDeskService, type ActionContext, type ActionResult } from './help-desk.service';
import {
  AddressActionBody,
  ReasonBody,
  RemovePasskeyBody,
  ResendVerificationBody,
  SendRecoveryBody,
  UnlinkConnectionBody,
} from './identities.dto';
import { IdentitiesService } from './identities.service';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/**
 * The help-desk actions on one identity: `POST …/identities/{id}/actions/<action>` with `{reason, …}`, each
 * with the narrowest permission that covers it, each answered `{outcome: 'done' | 'no-op', identity, …}` and
 * recorded as one `admin.identity.<action>` audit event (docs/helpdesk.md).
 */
@ApiTags('admin: identities')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/identities/:id/actions')
export class IdentityActionsController {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly helpDesk: HelpDeskService,
  ) {}

  @Post('unlock')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.state.write')
  @ApiOperation({ summary: 'Lift the lock and clear failed-attempt counters' })
  @ApiBody({ schema: schema(ReasonBody) })
  async unlock(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.unlock(...(await this.target(project, id, body, principal)));
  }

  @Post('disable')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.state.write')
  @ApiOperation({ summary: 'Disable: no sign-in; every session and refresh token revoked' })
  @ApiBody({ schema: schema(ReasonBody) })
  async disable(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.disable(...(await this.target(project, id, body, principal)));
  }

  @Post('enable')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.state.write')
  @ApiOperation({ summary: 'Enable a disabled identity again' })
  @ApiBody({ schema: schema(ReasonBody) })
  async enable(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.enable(...(await this.target(project, id, body, principal)));
  }

  @Post('verify-address')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.addresses.write')
  @ApiOperation({ summary: 'Mark one of the addresses of the identity verified' })
  @ApiBody({ schema: schema(AddressActionBody) })
  async verifyAddress(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(AddressActionBody) body: AddressActionBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.verifyAddress(...(await this.target(project, id, body, principal)), body.address);
  }

  @Post('resend-verification')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.addresses.write')
  @ApiOperation({
    summary: 'Mail a new verification code for an unverified email address (a VERIFICATION flow bound to the identity)',
  })
  @ApiBody({ schema: schema(ResendVerificationBody) })
  async resendVerification(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ResendVerificationBody) body: ResendVerificationBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    const target = await this.target(project, id, body, principal);
    return this.helpDesk.resendVerification(...target, body.address, body.clientId);
  }

  @Post('send-recovery')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.credentials.write')
  @ApiOperation({
    summary:
      "Mail a recovery code (and a link to its page) to the identity's recovery address; the caller never sees it",
  })
  @ApiBody({ schema: schema(SendRecoveryBody) })
  async sendRecovery(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(SendRecoveryBody) body: SendRecoveryBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    const target = await this.target(project, id, body, principal);
    return this.helpDesk.sendRecovery(...target, body.address, body.clientId);
  }

  @Post('remove-totp')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.credentials.write')
  @ApiOperation({ summary: 'Remove the authenticator app (TOTP) of the identity' })
  @ApiBody({ schema: schema(ReasonBody) })
  async removeTotp(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.removeTotp(...(await this.target(project, id, body, principal)));
  }

  @Post('remove-backup-codes')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.credentials.write')
  @ApiOperation({ summary: 'Remove the backup codes of the identity' })
  @ApiBody({ schema: schema(ReasonBody) })
  async removeBackupCodes(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.removeBackupCodes(...(await this.target(project, id, body, principal)));
  }

  @Post('remove-passkey')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.credentials.write')
  @ApiOperation({ summary: 'Remove one passkey (by its credential id) from the identity' })
  @ApiBody({ schema: schema(RemovePasskeyBody) })
  async removePasskey(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(RemovePasskeyBody) body: RemovePasskeyBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.removePasskey(...(await this.target(project, id, body, principal)), body.passkeyId);
  }

  @Post('unlink-connection')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('identities.credentials.write')
  @ApiOperation({
    summary:
      "Unlink the identity's account at a connection (listed in its oidc credential's links); 409 when it is the last way to sign in",
  })
  @ApiBody({ schema: schema(UnlinkConnectionBody) })
  async unlinkConnection(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(UnlinkConnectionBody) body: UnlinkConnectionBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.unlinkConnection(...(await this.target(project, id, body, principal)), body.connectionId);
  }

  @Post('revoke-sessions')
  @DocumentedResponse(IdentityActionResult, 200)
  @HttpCode(200)
  @RequirePermission('sessions.revoke')
  @ApiOperation({ summary: 'Revoke every session of the identity and their refresh tokens' })
  @ApiBody({ schema: schema(ReasonBody) })
  async revokeSessions(
    @AdminProject() project: Project,
    @Param('id') id: string,
    @JsonBody(ReasonBody) body: ReasonBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<ActionResult> {
    return this.helpDesk.revokeSessions(...(await this.target(project, id, body, principal)));
  }

  /** Who acts, why, and on which identity (404 before anything else when the project has no such identity). */
  private async target(
    project: Project,
    id: string,
    body: { reason: string },
    principal: AdminPrincipal,
  ): Promise<[ActionContext, Awaited<ReturnType<IdentitiesService['get']>>]> {
    const context: ActionContext = { project, principal, reason: body.reason };
    const identity = await this.identities.get(project, id);
    await this.helpDesk.assertMayActOn(context, identity);
    return [context, identity];
  }
}
