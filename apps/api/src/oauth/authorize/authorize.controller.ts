import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FlowResponse } from '@keyway/flow-types';
import { ClientContext, type RequestContext } from '../../common/request-context';
import { OAuthParamsPipe } from '../../common/zod-pipes';
import type { Project } from '../../projects/projects.service';
import { Tenant } from '../../tenancy/tenant.pipe';
import { AppNativePresenter } from '../app-native.presenter';
import { requireFormEncoded } from '../form-encoded';
import { AuthorizationRequestParams } from './authorization-request';
import { AuthorizeService } from './authorize.service';
import { RateLimit } from '../../rate-limit/rate-limit.decorator';

const paramsPipe = new OAuthParamsPipe(AuthorizationRequestParams);

@ApiTags('app-native authentication')
@RateLimit('login')
@Controller('t/:tenant/oauth2/authorize')
export class AuthorizeController {
  constructor(
    private readonly authorizeService: AuthorizeService,
    private readonly presenter: AppNativePresenter,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Start an app-native login flow (response_mode=direct); form-encoded body' })
  async post(
    @Tenant() project: Project,
    @Body(paramsPipe) params: AuthorizationRequestParams,
    @ClientContext() client: RequestContext,
    @Headers('authorization') authorization?: string,
    @Headers('content-type') contentType?: string,
  ): Promise<FlowResponse> {
    requireFormEncoded(contentType);
    return this.presenter.present(project, await this.authorizeService.authorize(project, params, authorization), client);
  }

  @Get()
  @ApiOperation({ summary: 'Start an app-native login flow (response_mode=direct); query parameters' })
  async get(
    @Tenant() project: Project,
    @Query(paramsPipe) params: AuthorizationRequestParams,
    @ClientContext() client: RequestContext,
    @Headers('authorization') authorization?: string,
  ): Promise<FlowResponse> {
    return this.presenter.present(project, await this.authorizeService.authorize(project, params, authorization), client);
  }
}
