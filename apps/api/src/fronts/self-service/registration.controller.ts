import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegistrationRequest } from '@keyway/flow-types';
import { z } from 'zod';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import { JsonBody } from '../../infra/http/zod-pipes';
import { APP_NATIVE_FRONT, APP_NATIVE_SESSION_FRONT } from '../../domain/grants/authorize.service';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { RegistrationService, type RegistrationAnswer } from '../../flows/registration/registration.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

/**
 * One URL for the whole flow, like /oauth2/authn for login: a body with `flowId` answers the current step
 * (`{flowId, selectedAuthenticator}`), a body without starts a flow: from OAuth params (ends with a code), or
 * from only a client_id (ends with a session: the token response).
 */
@ApiTags('self-service')
@RateLimit('selfService')
@Controller('t/:tenant/flows/registration')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Start a registration flow (OAuth params → code, or only client_id → session) or answer its current step ({flowId, selectedAuthenticator})',
  })
  @ApiBody({ schema: z.toJSONSchema(RegistrationRequest) as object })
  async post(
    @Tenant() project: Project,
    @JsonBody(RegistrationRequest) body: RegistrationRequest,
    @ClientContext() client: RequestContext,
    @Headers('authorization') authorization?: string,
  ): Promise<RegistrationAnswer> {
    if ('flowId' in body) return this.registration.advance(project, body, APP_NATIVE_FRONT, client);
    if ('redirect_uri' in body) return this.registration.start(project, body, authorization);
    return this.registration.start(project, body, authorization, APP_NATIVE_SESSION_FRONT);
  }
}
