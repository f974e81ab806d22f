import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RecoveryRequest, type FlowResponse, type SelfServiceCompletedResponse } from '@keyway/flow-types';
import { z } from 'zod';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import { JsonBody } from '../../infra/http/zod-pipes';
import { APP_NATIVE_FRONT } from '../../domain/grants/authorize.service';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { RecoveryService } from '../../flows/recovery/recovery.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

/** One URL for the whole flow, like registration: a body with `flowId` answers the current step, one without starts a flow. */
@ApiTags('self-service')
@RateLimit('selfService')
@Controller('t/:tenant/flows/recovery')
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start a recovery flow (OAuth params) or answer its current step ({flowId, selectedAuthenticator})',
  })
  @ApiBody({ schema: z.toJSONSchema(RecoveryRequest) as object })
  async post(
    @Tenant() project: Project,
    @JsonBody(RecoveryRequest) body: RecoveryRequest,
    @ClientContext() client: RequestContext,
    @Headers('authorization') authorization?: string,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    if ('flowId' in body) return this.recovery.advance(project, body, APP_NATIVE_FRONT, client);
    return this.recovery.start(project, body, authorization);
  }
}
