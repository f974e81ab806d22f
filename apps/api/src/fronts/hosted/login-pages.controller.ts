import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { sendAnswer } from './hosted-answer';
import { HostedLoginService } from './hosted-login.service';

/** The hosted login's forms post here ({issuer}/ui/login); the login starts at {issuer}/oauth2/authorize. */
@ApiExcludeController()
@RateLimit('login')
@Controller('t/:tenant/ui/login')
export class LoginPagesController {
  constructor(private readonly login: HostedLoginService) {}

  @Post()
  async answer(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.login.answer(project, body, contentType, { cookie, acceptLanguage, client }));
  }
}
