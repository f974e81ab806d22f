import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthorizationChallengeResponse } from '@keyway/flow-types';
import type { FastifyReply } from 'fastify';
import { ClientContext, type RequestContext } from '../../../infra/http/request-context';
import { OAuthParamsPipe } from '../../../infra/http/zod-pipes';
import type { Project } from '../../../domain/projects/projects.service';
import { Tenant } from '../../../domain/projects/tenant.pipe';
import { requireFormEncoded } from '../../../infra/http/form-encoded';
import { AuthorizeChallengeParams } from './authorize-challenge-request';
import { AuthorizeChallengeService } from './authorize-challenge.service';
import { RateLimit } from '../../rate-limit/rate-limit.decorator';

@ApiTags('first-party apps')
@RateLimit('login')
@Controller('t/:tenant/oauth2/authorize-challenge')
export class AuthorizeChallengeController {
  constructor(private readonly service: AuthorizeChallengeService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Authorization challenge endpoint (draft-ietf-oauth-first-party-apps-04); form-encoded body',
  })
  async challenge(
    @Tenant() project: Project,
    @Body(new OAuthParamsPipe(AuthorizeChallengeParams)) params: AuthorizeChallengeParams,
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @ClientContext() client: RequestContext,
  ): Promise<AuthorizationChallengeResponse> {
    // §5.2.1: codes and auth_sessions must not be cached.
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    requireFormEncoded(contentType);
    const answer = await this.service.challenge(project, params, authorization, client);
    void reply.status(answer.status);
    return answer.body;
  }
}
