import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegistrationRequest, type FlowResponse } from '@keyway/flow-types';
import { z } from 'zod';
import { JsonBody } from '../../common/zod-pipes';
import type { Project } from '../../projects/projects.service';
import { Tenant } from '../../tenancy/tenant.pipe';
import { RegistrationService } from './registration.service';

/**
 * One URL for the whole flow, like /oauth2/authn for login: a body with `flowId` answers the current step
 * (`{flowId, selectedAuthenticator}`), a body without starts a flow from OAuth params.
 */
@ApiTags('self-service')
@Controller('t/:tenant/flows/registration')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a registration flow (OAuth params) or answer its current step ({flowId, selectedAuthenticator})' })
  @ApiBody({ schema: z.toJSONSchema(RegistrationRequest) as object })
  async post(@Tenant() project: Project, @JsonBody(RegistrationRequest) body: RegistrationRequest, @Headers('authorization') authorization?: string): Promise<FlowResponse> {
    if ('flowId' in body) return this.registration.advance(project, body);
    return this.registration.start(project, body, authorization);
  }
}
