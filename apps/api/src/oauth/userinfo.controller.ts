import { Controller, Get, Headers, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OAuthError } from '../common/errors';
import { IdentitiesRepository } from '../identities/identities.repository';
import { ACCESS_TOKEN_ALG, SigningKeysService } from '../keys/signing-keys.service';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { Tenant } from '../tenancy/tenant.pipe';
import { scopedClaims } from './tokens/token-minter.service';

/** OIDC Core §5.3 UserInfo: the claims the access token's scopes release, while its session lives. */
@ApiTags('oauth2')
@ApiBearerAuth()
@Controller('t/:tenant/oauth2/userinfo')
export class UserinfoController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
    private readonly identities: IdentitiesRepository,
  ) {}

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
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new OAuthError('invalid_token', 'a Bearer access token is required');
    const jwks = createLocalJWKSet(await this.keys.jwks(project.id));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: project.issuer,
      audience: project.issuer,
      typ: 'at+jwt',
      algorithms: [ACCESS_TOKEN_ALG],
      requiredClaims: ['sub', 'sid', 'scope'],
    }).catch(() => {
      throw new OAuthError('invalid_token', 'the access token is invalid or expired');
    });
    const [sessionActive, identity] = await Promise.all([
      this.sessions.isActive(String(payload['sid'])),
      this.identities.findById(project.id, String(payload.sub)),
    ]);
    if (!sessionActive || !identity || identity.state !== 'active') throw new OAuthError('invalid_token', 'the access token has been revoked');
    return { sub: identity.id, ...scopedClaims(String(payload['scope']), identity.traits as Record<string, unknown>) };
  }
}
