import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { FlowResponse } from '@keyway/flow-types';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import { OAuthError } from '../../infra/http/errors';
import { OAuthParamsPipe } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { AppNativePresenter } from './app-native.presenter';
import { requireFormEncoded } from '../../infra/http/form-encoded';
import { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';
import { APP_NATIVE_FRONT, AuthorizeService } from '../../domain/grants/authorize.service';
import { parseMaxAge, parsePrompt } from '../../domain/grants/prompt';
import { FlowEngine } from '../../flows/engine/flow-engine.service';
import { SingleSignOn } from '../../flows/sso/single-sign-on.service';
import { sendAnswer } from '../hosted/hosted-answer';
import { HostedLoginService } from '../hosted/hosted-login.service';
import { HostedPages } from '../hosted/hosted-pages';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

const paramsPipe = new OAuthParamsPipe(AuthorizationRequestParams);

/**
 * The authorization endpoint. `response_mode=direct` is the app-native API (JSON steps, continued at
 * /oauth2/authn); any other request is a browser's, answered by the hosted login pages.
 */
@ApiTags('app-native authentication')
@RateLimit('login')
@Controller('t/:tenant/oauth2/authorize')
export class AuthorizeController {
  constructor(
    private readonly authorizeService: AuthorizeService,
    private readonly presenter: AppNativePresenter,
    private readonly engine: FlowEngine,
    private readonly sso: SingleSignOn,
    private readonly authorizationResponse: AuthorizationResponseService,
    private readonly hostedLogin: HostedLoginService,
    private readonly pages: HostedPages,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Start an app-native login flow (response_mode=direct; form-encoded body); without it, the hosted login page',
  })
  @ApiOkResponse({ description: 'The first step of the flow, or SUCCESS_COMPLETED from an SSO session' })
  async post(
    @Tenant() project: Project,
    @Body() body: unknown,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
    @Headers('content-type') contentType?: string,
    @Headers('cookie') cookie?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<void> {
    requireFormEncoded(contentType);
    if (!isDirect(body)) {
      sendAnswer(reply, await this.hostedLogin.authorize(project, body, { cookie, acceptLanguage, client }));
      return;
    }
    const params = paramsPipe.transform(body);
    void reply.status(200).send(await this.start(project, params, client, authorization, cookie));
  }

  @Get()
  @ApiOperation({
    summary:
      'Start an app-native login flow (response_mode=direct; query parameters); without it, the hosted login page',
  })
  @ApiOkResponse({ description: 'The first step of the flow, or SUCCESS_COMPLETED from an SSO session' })
  async get(
    @Tenant() project: Project,
    @Query() query: unknown,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
    @Headers('cookie') cookie?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<void> {
    if (!isDirect(query)) {
      sendAnswer(reply, await this.hostedLogin.authorize(project, query, { cookie, acceptLanguage, client }));
      return;
    }
    const params = paramsPipe.transform(query);
    void reply.status(200).send(await this.start(project, params, client, authorization, cookie));
  }

  /**
   * Validates the authorization request (the shared pipeline of checks), then answers from the SSO session the
   * browser's cookie or the app's `sessionId` (an earlier ID token's `isk`) names, or starts the login flow.
   */
  private async start(
    project: Project,
    params: AuthorizationRequestParams,
    client: RequestContext,
    authorization: string | undefined,
    cookie: string | undefined,
  ): Promise<FlowResponse> {
    const { application, authRequest } = await this.authorizeService.validate(
      project,
      params,
      authorization,
      APP_NATIVE_FRONT,
    );
    const prompt = parsePrompt(params.prompt);
    const decision = await this.sso.decide(project, application, {
      cookieKey: this.pages.ssoCookie.read(project, cookie),
      sessionKey: params.sessionId,
      prompt,
      maxAge: parseMaxAge(params.max_age),
      idTokenHint: params.id_token_hint,
    });
    if (decision.kind === 'reuse') {
      const authData = await this.authorizationResponse.issueInSession(
        project,
        application.id,
        authRequest,
        decision.session,
      );
      if (authData) return { flowStatus: 'SUCCESS_COMPLETED', authData };
    }
    if (prompt.has('none'))
      throw new OAuthError(decision.kind === 'login' ? decision.error : 'login_required', 'the user must sign in');
    return this.presenter.present(project, await this.engine.start(project, application, authRequest), client);
  }
}

/** Whether a request asks for the app-native API rather than the hosted pages. */
function isDirect(params: unknown): boolean {
  return !!params && typeof params === 'object' && (params as Record<string, unknown>)['response_mode'] === 'direct';
}
