import { Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { ApiError } from '../../infra/http/errors';
import { JsonBody } from '../../infra/http/zod-pipes';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService, type PasskeyView } from '../../methods/passkey/passkeys.service';
import { RegistrationCredential } from '../../methods/passkey/webauthn-json';
import type { Project } from '../../domain/projects/projects.service';
import { AccessTokenVerifier } from '../../domain/sessions/access-token.verifier';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';
import { Tenant } from '../../domain/projects/tenant.pipe';

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
 * challenge kept server-side for five minutes and spent by the first answer.
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('t/:tenant/me/passkeys')
export class MePasskeysController {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly passkeys: PasskeysService,
    private readonly audit: AuditService,
    private readonly privileged: PrivilegedSessions,
  ) {}

  @Post('registration-options')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start registering a passkey: PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create()' })
  async registrationOptions(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { identity } = await this.tokens.verify(project, authorization);
    const options = await this.passkeys.registrationOptions(project, identity);
    if (options === 'limit') throw ApiError.conflict(`At most ${MAX_PASSKEYS_PER_IDENTITY} passkeys can be registered; remove one first.`);
    return options;
  }

  @Post()
  @ApiOperation({ summary: 'Register the passkey created with the latest registration options' })
  @ApiBody({ schema: z.toJSONSchema(RegisterPasskeyBody, { io: 'input' }) as object })
  async register(
    @Tenant() project: Project,
    @JsonBody(RegisterPasskeyBody) body: RegisterPasskeyBody,
    @Headers('authorization') authorization?: string,
  ): Promise<PasskeyView> {
    const { identity } = await this.tokens.verify(project, authorization);
    const result = await this.passkeys.register(project, identity.id, body.credential, body.name);
    switch (result.outcome) {
      case 'registered':
        await this.audit.record('passkey.registered', { projectId: project.id, identityId: identity.id, data: { passkeyId: result.passkey.id } });
        return result.passkey;
      case 'not-pending':
        throw ApiError.conflict('No passkey registration is waiting (or it expired); get new options from registration-options first.');
      case 'duplicate':
        throw ApiError.conflict('This passkey is already registered.');
      case 'limit':
        throw ApiError.conflict(`At most ${MAX_PASSKEYS_PER_IDENTITY} passkeys can be registered; remove one first.`);
      case 'invalid':
        throw ApiError.badRequest(`credential: the passkey could not be verified (${result.reason}). Get new options and try again.`);
    }
  }

  @Get()
  @ApiOperation({ summary: 'List the passkeys of the signed-in user' })
  async list(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<PasskeyView[]> {
    const { identity } = await this.tokens.verify(project, authorization);
    return this.passkeys.list(identity.id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a passkey (by its credential id); needs a recent sign-in (403 KW-40301 otherwise: re-authenticate in the settings flow)' })
  async remove(@Tenant() project: Project, @Param('id') id: string, @Headers('authorization') authorization?: string): Promise<void> {
    const { identity, sessionId } = await this.tokens.verify(project, authorization);
    // Removing a factor weakens the account: a stolen, long-lived session must not be enough.
    await this.privileged.require(project, sessionId);
    if (!(await this.passkeys.remove(identity.id, id))) throw ApiError.notFound('No passkey with this id is registered.');
    await this.audit.record('passkey.removed', { projectId: project.id, identityId: identity.id, data: { passkeyId: id } });
  }
}
