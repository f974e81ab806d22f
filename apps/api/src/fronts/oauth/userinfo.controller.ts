import { Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { scopedClaims } from '../../domain/grants/token-minter.service';
import type { VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import { AccessTokenGuard, CurrentAccessToken } from '../guards/access-token.guard';
import { TenantPathParam } from '../../infra/http/documented-response';

/** OIDC Core §5.3 UserInfo: the claims the access token's scopes release, while its session lives. */
@ApiTags('oauth2')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@TenantPathParam()
@Controller('t/:tenant/oauth2/userinfo')
export class UserinfoController {
  @Get()
  @ApiOperation({ summary: 'UserInfo (Bearer access token)' })
  get(@CurrentAccessToken() token: VerifiedAccessToken): Record<string, unknown> {
    return userinfo(token);
  }

  @Post()
  @ApiOperation({ summary: 'UserInfo (Bearer access token)' })
  post(@CurrentAccessToken() token: VerifiedAccessToken): Record<string, unknown> {
    return userinfo(token);
  }
}

function userinfo({ identity, scope }: VerifiedAccessToken): Record<string, unknown> {
  return {
    sub: identity.id,
    ...scopedClaims(scope, identity.traits as Record<string, unknown>, identity.verifiedEmails),
  };
}
