import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OAuthParamsPipe } from '../../infra/http/zod-pipes';
import { NativeLogout, NativeLogoutParams } from '../../domain/grants/native-logout';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { sendAnswer } from '../hosted/hosted-answer';
import { HostedLogoutService } from '../hosted/hosted-logout.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { requireFormEncoded } from '../../infra/http/form-encoded';

const nativeParamsPipe = new OAuthParamsPipe(NativeLogoutParams);

/**
 * The logout endpoint (end_session_endpoint). A browser gets RP-Initiated Logout 1.0 (pages and redirects);
 * a native app posting `response_mode=direct` gets JSON.
 */
@ApiTags('oauth2')
@RateLimit('login')
@Controller('t/:tenant/oauth2/logout')
export class LogoutController {
  constructor(
    private readonly hosted: HostedLogoutService,
    private readonly native: NativeLogout,
  ) {}

  @Get()
  @ApiOperation({ summary: 'RP-Initiated Logout 1.0 (browser): ends the SSO session, then back to the app' })
  async get(
    @Tenant() project: Project,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
    @Headers('cookie') cookie?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<void> {
    sendAnswer(reply, await this.hosted.endSession(project, query, 'GET', { cookie, acceptLanguage }));
  }

  @Post()
  @ApiOperation({
    summary:
      'RP-Initiated Logout (browser form post), or with response_mode=direct a native app’s JSON logout: the session named by refresh_token or id_token_hint ends with its refresh tokens',
  })
  @ApiOkResponse({ description: "response_mode=direct: {status: 'logged_out'}" })
  async post(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
    @Headers('content-type') contentType?: string,
    @Headers('authorization') authorization?: string,
    @Headers('cookie') cookie?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<void> {
    requireFormEncoded(contentType);
    const direct =
      !!body && typeof body === 'object' && (body as Record<string, unknown>)['response_mode'] === 'direct';
    if (!direct) {
      sendAnswer(reply, await this.hosted.endSession(project, body, 'POST', { cookie, acceptLanguage }));
      return;
    }
    await this.native.logOut(project, nativeParamsPipe.transform(body), authorization);
    void reply.status(200).header('cache-control', 'no-store').send({ status: 'logged_out' });
  }
}
