import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClientAuthenticator, readClientCredentials } from '../../domain/grants/client-authentication';
import { TokenIntrospection, type IntrospectionResponse } from '../../domain/grants/token-introspection';
import { TokenRevocation, TokenStatusParams } from '../../domain/grants/token-revocation';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { OAuthError } from '../../infra/http/errors';
import { OAuthParamsPipe } from '../../infra/http/zod-pipes';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { requireFormEncoded } from '../../infra/http/form-encoded';

/**
 * Revocation (RFC 7009) and introspection (RFC 7662): form-encoded, the client authenticated as at the token
 * endpoint, with its registered method (a public client identifies itself with client_id to revoke).
 */
@ApiTags('oauth2')
@RateLimit('token')
@Controller('t/:tenant/oauth2')
export class TokenStatusController {
  constructor(
    private readonly clientAuthenticator: ClientAuthenticator,
    private readonly revocation: TokenRevocation,
    private readonly introspection: TokenIntrospection,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an access or refresh token (RFC 7009): 200 whether or not there was one' })
  async revoke(
    @Tenant() project: Project,
    @Body(new OAuthParamsPipe(TokenStatusParams)) params: TokenStatusParams,
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, never>> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    requireFormEncoded(contentType);
    const credentials = readClientCredentials(authorization, params);
    const client = await this.clientAuthenticator.authenticate(project, credentials, 'revoke');
    if (!params.token) throw new OAuthError('invalid_request', 'token is required');
    await this.revocation.revoke(project, client, params.token, params.token_type_hint);
    return {};
  }

  @Post('introspect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Introspect a token (RFC 7662), for resource servers (confidential clients)' })
  async introspect(
    @Tenant() project: Project,
    @Body(new OAuthParamsPipe(TokenStatusParams)) params: TokenStatusParams,
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntrospectionResponse> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    requireFormEncoded(contentType);
    const credentials = readClientCredentials(authorization, params);
    const client = await this.clientAuthenticator.authenticate(project, credentials, 'introspect');
    if (!params.token) throw new OAuthError('invalid_request', 'token is required');
    return this.introspection.introspect(project, client, params.token, params.token_type_hint);
  }
}
