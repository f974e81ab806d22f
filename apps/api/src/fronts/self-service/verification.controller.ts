import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { VerificationRequest, type FlowResponse, type SelfServiceCompletedResponse } from '@keyway/flow-types';
import { z } from 'zod';
import { JsonBody } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { VerificationService } from '../../flows/verification/verification.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

/** One URL for the whole flow, like registration: a body with `flowId` answers the code step, one without starts. */
@ApiTags('self-service')
@RateLimit('selfService')
@Controller('t/:tenant/flows/verification')
export class VerificationController {
  constructor(private readonly verification: VerificationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Start an email verification flow ({client_id, email}) or answer its code step ({flowId, selectedAuthenticator})',
  })
  @ApiBody({ schema: z.toJSONSchema(VerificationRequest) as object })
  async post(
    @Tenant() project: Project,
    @JsonBody(VerificationRequest) body: VerificationRequest,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    if ('flowId' in body) return this.verification.advance(project, body);
    return this.verification.start(project, body);
  }
}
