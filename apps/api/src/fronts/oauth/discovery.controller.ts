import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { ACCESS_TOKEN_ALG, ID_TOKEN_ALG, SigningKeysService } from '../../domain/keys/signing-keys.service';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { SUPPORTED_SCOPES } from '../../domain/grants/scopes';

@ApiTags('oauth2')
@Controller('t/:tenant')
export class DiscoveryController {
  constructor(private readonly keys: SigningKeysService) {}

  /** OpenID Connect Discovery 1.0 / RFC 8414. Lists only what this server actually does. */
  @Get('.well-known/openid-configuration')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'OpenID Provider metadata' })
  configuration(@Tenant() project: Project): Record<string, unknown> {
    const oauth2 = `${project.issuer}/oauth2`;
    return {
      issuer: project.issuer,
      authorization_endpoint: `${oauth2}/authorize`,
      token_endpoint: `${oauth2}/token`,
      userinfo_endpoint: `${oauth2}/userinfo`,
      revocation_endpoint: `${oauth2}/revoke`,
      introspection_endpoint: `${oauth2}/introspect`,
      jwks_uri: `${oauth2}/jwks`,
      app_native_authentication_endpoint: `${oauth2}/authn`,
      // draft-ietf-oauth-first-party-apps-04 §8
      authorization_challenge_endpoint: `${oauth2}/authorize-challenge`,
      scopes_supported: SUPPORTED_SCOPES,
      response_types_supported: ['code'],
      response_modes_supported: ['direct'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
      access_token_signing_alg_values_supported: [ACCESS_TOKEN_ALG],
      userinfo_signing_alg_values_supported: [],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'amr',
        'sid',
        'at_hash',
        'name',
        'email',
        'email_verified',
      ],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    };
  }

  @Get('oauth2/jwks')
  @Header('content-type', 'application/jwk-set+json')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public signing keys (JWK Set)' })
  jwks(@Tenant() project: Project): Promise<{ keys: JWK[] }> {
    return this.keys.jwks(project.id);
  }
}
