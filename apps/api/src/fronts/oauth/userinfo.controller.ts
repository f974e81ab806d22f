import { Controller, Get, Headers, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Project } from '../../domain/projects/projects.service';
import { AccessTokenVerifier } from '../../domain/sessions/access-token.verifier';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { scopedClaims } from '../../domain/grants/token-minter.service';

/** OIDC Core §5.3 UserInfo: the claims the access token's scopes release, while its session lives. */
@ApiTags('oauth2')
@ApiBearerAuth()
@Controller('t/:tenant/oauth2/userinfo')
export class UserinfoController {
  constructor(private readonly tokens: AccessTokenVerifier) {}

  @Get()
  @ApiOperation({ summary: 'UserInfo (Bearer access token)' })
  get(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<Record<string, unknown>> {
    return this.userinfo(project, authorization);
  }

  @Post()
  @ApiOperation({ summary: 'UserInfo (Bearer access token)' })
  post(@Tenant() project: Project, @Headers('authorization') authorization?: string): Promise<Record<string, unknown>> {
    return this.userinfo(project, authorization);
  }

  private async userinfo(project: Project, authorization: string | undefined): Promise<Record<string, unknown>> {
    const { identity, scope } = await this.tokens.verify(project, authorization);
    return { sub: identity.id, ...scopedClaims(scope, identity.traits as Record<string, unknown>, identity.verifiedEmails) };
  }
}
