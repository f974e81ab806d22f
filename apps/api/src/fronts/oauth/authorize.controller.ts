import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FlowResponse } from '@keyway/flow-types';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import { OAuthParamsPipe } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { AppNativePresenter } from './app-native.presenter';
import { requireFormEncoded } from './form-encoded';
import { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { APP_NATIVE_FRONT, AuthorizeService } from '../../domain/grants/authorize.service';
import { FlowEngine, type FlowOutcome } from '../../flows/engine/flow-engine.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

const paramsPipe = new OAuthParamsPipe(AuthorizationRequestParams);

@ApiTags('app-native authentication')
@RateLimit('login')
@Controller('t/:tenant/oauth2/authorize')
export class AuthorizeController {
  constructor(
    private readonly authorizeService: AuthorizeService,
    private readonly presenter: AppNativePresenter,
    private readonly engine: FlowEngine,
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
    return this.presenter.present(project, await this.start(project, params, authorization), client);
  }

  @Get()
  @ApiOperation({ summary: 'Start an app-native login flow (response_mode=direct); query parameters' })
  async get(
    @Tenant() project: Project,
    @Query(paramsPipe) params: AuthorizationRequestParams,
    @ClientContext() client: RequestContext,
    @Headers('authorization') authorization?: string,
  ): Promise<FlowResponse> {
    return this.presenter.present(project, await this.start(project, params, authorization), client);
  }

  /** Validates the authorization request (the shared pipeline of checks), then starts the login flow. */
  private async start(
    project: Project,
    params: AuthorizationRequestParams,
    authorization: string | undefined,
  ): Promise<FlowOutcome> {
    const { application, authRequest } = await this.authorizeService.validate(
      project,
      params,
      authorization,
      APP_NATIVE_FRONT,
    );
    return this.engine.start(project, application, authRequest);
  }
}
