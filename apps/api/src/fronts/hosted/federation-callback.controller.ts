import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { sendAnswer } from './hosted-answer';
import { HostedLoginService } from './hosted-login.service';

/**
 * Where upstream providers send the browser back in the hosted login (`{issuer}/ui/federation/callback`, the
 * redirect URI to register at the provider): a GET with `code` and `state`, or a form post (Apple's form_post).
 */
@ApiExcludeController()
@RateLimit('login')
@Controller('t/:tenant/ui/federation/callback')
export class FederationCallbackController {
  constructor(private readonly login: HostedLoginService) {}

  @Get()
  async returned(
    @Tenant() project: Project,
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.login.federationCallback(project, query, { cookie, acceptLanguage, client }));
  }

  @Post()
  async posted(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.login.federationCallback(project, body, { cookie, acceptLanguage, client }));
  }
}
