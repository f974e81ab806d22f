import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClientContext, type RequestContext } from '../../infra/http/request-context';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { sendAnswer } from './hosted-answer';
import { HostedOAuthFlowsService } from './hosted-oauth-flows.service';
import { HostedVerificationService } from './hosted-verification.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

/**
 * The hosted self-service pages under the issuer ({issuer}/ui/…): server-rendered HTML for browsers, in
 * front of the same flow services as the JSON API. GET shows (or starts), POST answers with a form.
 */
@ApiExcludeController()
@RateLimit('selfService')
@Controller('t/:tenant/ui')
export class HostedPagesController {
  constructor(
    private readonly oauthFlows: HostedOAuthFlowsService,
    private readonly verification: HostedVerificationService,
  ) {}

  @Get('registration')
  async startRegistration(
    @Tenant() project: Project,
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.oauthFlows.start('REGISTRATION', project, query, cookie));
  }

  @Post('registration')
  async answerRegistration(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.oauthFlows.answer('REGISTRATION', project, body, contentType, cookie, client));
  }

  @Get('recovery')
  async startRecovery(
    @Tenant() project: Project,
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.oauthFlows.start('RECOVERY', project, query, cookie));
  }

  @Post('recovery')
  async answerRecovery(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @ClientContext() client: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.oauthFlows.answer('RECOVERY', project, body, contentType, cookie, client));
  }

  @Get('verification')
  async startVerification(
    @Tenant() project: Project,
    @Query() query: Record<string, unknown>,
    @Headers('cookie') cookie: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.verification.startPage(project, query, cookie));
  }

  @Post('verification')
  async submitVerification(
    @Tenant() project: Project,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.verification.submit(project, body, contentType, cookie));
  }

  /** The link mailed by a hosted verification; no cookie needed, so it works on whichever device opens the mail. */
  @Get('verification/confirm')
  async confirmVerification(
    @Tenant() project: Project,
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendAnswer(reply, await this.verification.confirm(project, query));
  }
}
