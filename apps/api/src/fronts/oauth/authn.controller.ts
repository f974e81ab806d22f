import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthnRequest, type FlowResponse } from '@keyway/flow-types';
import { z } from 'zod';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import { JsonBody } from '../../infra/http/zod-pipes';
import { FlowEngine } from '../../flows/engine/flow-engine.service';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { AppNativePresenter } from './app-native.presenter';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

@ApiTags('app-native authentication')
@RateLimit('login')
@Controller('t/:tenant/oauth2/authn')
export class AuthnController {
  constructor(
    private readonly engine: FlowEngine,
    private readonly presenter: AppNativePresenter,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer the current step of an app-native login flow' })
  @ApiBody({ schema: z.toJSONSchema(AuthnRequest) as object })
  async authn(
    @Tenant() project: Project,
    @JsonBody(AuthnRequest) request: AuthnRequest,
    @ClientContext() client: RequestContext,
  ): Promise<FlowResponse> {
    return this.presenter.present(project, await this.engine.advance(project, request), client);
  }
}
