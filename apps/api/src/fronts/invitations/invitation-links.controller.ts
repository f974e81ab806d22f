import { Controller, HttpCode, Post } from '@nestjs/common';
import { InvitationLookup } from '@keyway/admin-api';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InvitationsService } from '../../domain/access/invitations.service';
import { AuditService } from '../../domain/audit/audit.service';
import { SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { PasswordSchema } from '../../domain/schemas/identity-traits';
import { JsonBody } from '../../infra/http/zod-pipes';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

// A token is 43 base64url characters; anything much longer is not one (and is not worth hashing).
const Token = z.string().min(1).max(256);

const LookupBody = z.object({ token: Token }).strict();
type LookupBody = z.infer<typeof LookupBody>;

const AcceptBody = z
  .object({
    token: Token,
    /** Only for an address without a console account: the new account's password (the usual policy). */
    password: PasswordSchema.optional(),
    /** Only for a new account: its display name. */
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
type AcceptBody = z.infer<typeof AcceptBody>;

/**
 * The invitation link's two requests, made by the console's invite page for someone who is not signed in:
 * no admin credentials, but rate-limited as the system project's self-service (per client IP). Every token
 * that does not open an invitation — wrong, used, revoked, expired — gets the same 400 (KW-40001).
 */
@ApiTags('admin: invitations')
@RateLimit('selfService', { project: SYSTEM_PROJECT_SLUG })
@Controller('api/admin/v1/invitations')
export class InvitationLinksController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly audit: AuditService,
  ) {}

  @Post('lookup')
  @DocumentedResponse(InvitationLookup, 200)
  @HttpCode(200)
  @ApiOperation({
    summary: 'What an invitation link invites to: project name, address, role, whether it has an account',
  })
  @ApiBody({ schema: z.toJSONSchema(LookupBody) as object })
  lookup(@JsonBody(LookupBody) body: LookupBody): Promise<InvitationLookup> {
    return this.invitations.lookup(body.token);
  }

  @Post('accept')
  @DocumentedResponse(InvitationLookup, 200)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Accept an invitation: creates the console account (password required) unless the address has one, and the membership',
  })
  @ApiBody({ schema: z.toJSONSchema(AcceptBody, { io: 'input' }) as object })
  async accept(@JsonBody(AcceptBody) body: AcceptBody): Promise<InvitationLookup> {
    const accepted = await this.invitations.accept(body.token, body);
    await this.audit.record('member.invitation_accepted', {
      projectId: accepted.projectId,
      actor: { kind: 'console-user', id: accepted.identityId, name: accepted.email },
      target: { type: 'member', id: accepted.membershipId },
      data: { email: accepted.email, role: accepted.role, newAccount: !accepted.existingUser },
    });
    const { projectName, email, role, existingUser } = accepted;
    return { projectName, email, role, existingUser };
  }
}
