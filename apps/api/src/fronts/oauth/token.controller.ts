import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OAuthError } from '../../infra/http/errors';
import { OAuthParamsPipe } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { ClientAuthenticator, readClientCredentials } from '../../domain/grants/client-authentication';
import { requireFormEncoded } from '../../infra/http/form-encoded';
import { AuthorizationCodeGrant } from '../../domain/grants/authorization-code.grant';
import { RefreshTokenGrant } from '../../domain/grants/refresh-token.grant';
import { ClientCredentialsGrant } from '../../domain/grants/client-credentials.grant';
import { TokenExchangeGrant } from '../../domain/grants/token-exchange.grant';
import { TOKEN_EXCHANGE_GRANT } from '../../domain/applications/application';
import {
  TokenRequestParams,
  type ClientTokenResponse,
  type TokenExchangeResponse,
  type TokenResponse,
} from '../../domain/grants/token-request';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

@ApiTags('oauth2')
@RateLimit('token')
@Controller('t/:tenant/oauth2/token')
export class TokenController {
  constructor(
    private readonly clientAuthenticator: ClientAuthenticator,
    private readonly authorizationCode: AuthorizationCodeGrant,
    private readonly refreshToken: RefreshTokenGrant,
    private readonly clientCredentials: ClientCredentialsGrant,
    private readonly tokenExchange: TokenExchangeGrant,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Token endpoint (authorization_code with PKCE, refresh_token, client_credentials, RFC 8693 token exchange of a trusted partner token); form-encoded body',
  })
  async token(
    @Tenant() project: Project,
    @Body(new OAuthParamsPipe(TokenRequestParams, ['resource', 'audience'])) params: TokenRequestParams,
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse | ClientTokenResponse | TokenExchangeResponse> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    requireFormEncoded(contentType);
    if (!params.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
    const credentials = readClientCredentials(authorization, params);
    const client = await this.clientAuthenticator.authenticate(project, credentials, 'token');
    switch (params.grant_type) {
      case 'authorization_code':
        if (!client.grantTypes.includes('authorization_code'))
          throw new OAuthError('unauthorized_client', 'grant type not allowed for this client');
        return this.authorizationCode.handle(project, client, params);
      case 'refresh_token':
        return this.refreshToken.handle(project, client, params);
      case 'client_credentials':
        return this.clientCredentials.handle(project, client, params);
      case TOKEN_EXCHANGE_GRANT:
        return this.tokenExchange.handle(project, client, params);
      default:
        throw new OAuthError('unsupported_grant_type', `grant_type '${params.grant_type}' is not supported`);
    }
  }
}
