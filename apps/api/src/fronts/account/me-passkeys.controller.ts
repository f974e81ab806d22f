import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService, type PasskeyView } from '../../methods/passkey/passkeys.service';
import { RegistrationCredential } from '../../methods/passkey/webauthn-json';
import type { Project } from '../../domain/projects/projects.service';
import { AccessTokenGuard, CurrentIdentity } from '../guards/access-token.guard';
import { RequirePrivilegedSession } from '../guards/privileged-session.guard';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { TenantPathParam } from '../../infra/http/documented-response';

const RegisterPasskeyBody = z
  .object({
    /** The RegistrationResponseJSON of navigator.credentials.create() (PublicKeyCredential.toJSON()). */
    credential: RegistrationCredential,
    /** A label the user chooses, e.g. "Work laptop". */
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
type RegisterPasskeyBody = z.output<typeof RegisterPasskeyBody>;

/**
 * Self-service passkeys for a signed-in user (Bearer access token): get creation options, register the
 * passkey the platform created with them, list and remove passkeys. Registration options hold a
 * challenge kept server-side for five minutes and spent by the first answer. Adding and removing need a
 * recent sign-in; listing does not.
 */
@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@TenantPathParam()
@Controller('t/:tenant/me/passkeys')
export class MePasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly audit: AuditService,
  ) {}

  @Post('registration-options')
  @HttpCode(HttpStatus.OK)
  // A passkey added with a stolen access token would keep the account after the token expires.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Start registering a passkey: PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create(); needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)',
  })
  async registrationOptions(
    @Tenant() project: Project,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const options = await this.passkeys.registrationOptions(project, identity);
    if (options === 'limit')
      throw ApiError.conflict(`At most ${MAX_PASSKEYS_PER_IDENTITY} passkeys can be registered; remove one first.`);
    return options;
  }

  @Post()
  // Checked again here, not only for the options: the window may have closed in between.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Register the passkey created with the latest registration options; needs a recent sign-in (403 KW-40301 otherwise)',
  })
  @ApiBody({ schema: z.toJSONSchema(RegisterPasskeyBody, { io: 'input' }) as object })
  async register(
    @Tenant() project: Project,
    @JsonBody(RegisterPasskeyBody) body: RegisterPasskeyBody,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<PasskeyView> {
    const result = await this.passkeys.register(project, identity.id, body.credential, body.name);
    switch (result.outcome) {
      case 'registered':
        await this.audit.record('passkey.registered', {
          projectId: project.id,
          identityId: identity.id,
          data: { passkeyId: result.passkey.id },
        });
        return result.passkey;
      case 'not-pending':
        throw ApiError.conflict(
          'No passkey registration is waiting (or it expired); get new options from registration-options first.',
        );
      case 'duplicate':
        throw ApiError.conflict('This passkey is already registered.');
      case 'limit':
        throw ApiError.conflict(`At most ${MAX_PASSKEYS_PER_IDENTITY} passkeys can be registered; remove one first.`);
      case 'invalid':
        throw ApiError.badRequest(
          `credential: the passkey could not be verified (${result.reason}). Get new options and try again.`,
        );
    }
  }

  @Get()
  @ApiOperation({ summary: 'List the passkeys of the signed-in user' })
  list(@CurrentIdentity() identity: CurrentIdentity): Promise<PasskeyView[]> {
    return this.passkeys.list(identity.id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  // Removing a factor weakens the account: a stolen, long-lived session must not be enough.
  @RequirePrivilegedSession()
  @ApiOperation({
    summary:
      'Remove a passkey (by its credential id); needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)',
  })
  async remove(
    @Tenant() project: Project,
    @Param('id') id: string,
    @CurrentIdentity() identity: CurrentIdentity,
  ): Promise<void> {
    if (!(await this.passkeys.remove(identity.id, id)))
      throw ApiError.notFound('No passkey with this id is registered.');
    await this.audit.record('passkey.removed', {
      projectId: project.id,
      identityId: identity.id,
      data: { passkeyId: id },
    });
  }
}
