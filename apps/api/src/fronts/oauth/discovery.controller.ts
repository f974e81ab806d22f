import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { JWK } from 'jose';
import { ACCESS_TOKEN_ALG, SIGNING_ALGS } from '../../domain/keys/signing-key-lifecycle';
import { SigningKeysService } from '../../domain/keys/signing-keys.service';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import type { Project } from '../../domain/projects/projects.service';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { SUPPORTED_SCOPES } from '../../domain/grants/scopes';
import { PROMPT_VALUES } from '../../domain/grants/prompt';
import { PAGE_LANGUAGES } from '../hosted/page-texts';
import { CLIENT_ASSERTION_SIGNING_ALGS } from '../../domain/applications/client-authentication-settings';
import { TOKEN_EXCHANGE_GRANT } from '../../domain/applications/application';

/** Every endpoint taking client authentication takes each method; `none` identifies a public client only. */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

@ApiTags('oauth2')
@Controller('t/:tenant')
export class DiscoveryController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {}

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
      end_session_endpoint: `${oauth2}/logout`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      jwks_uri: `${oauth2}/jwks`,
      app_native_authentication_endpoint: `${oauth2}/authn`,
      // draft-ietf-oauth-first-party-apps-04 §8
      authorization_challenge_endpoint: `${oauth2}/authorize-challenge`,
      scopes_supported: SUPPORTED_SCOPES,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post', 'direct'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT],
      subject_types_supported: ['public'],
      // Every project has an active key of each; an application picks one (idTokenSignedResponseAlg).
      id_token_signing_alg_values_supported: [...SIGNING_ALGS],
      access_token_signing_alg_values_supported: [ACCESS_TOKEN_ALG],
      userinfo_signing_alg_values_supported: [],
      token_endpoint_auth_methods_supported: ['none', ...CLIENT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_SIGNING_ALGS,
      revocation_endpoint_auth_methods_supported: ['none', ...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_SIGNING_ALGS,
      // Introspection is for resource servers, confidential clients: they always authenticate.
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_SIGNING_ALGS,
      code_challenge_methods_supported: ['S256'],
      prompt_values_supported: PROMPT_VALUES,
      // RFC 9207: every redirect (and form post) response carries iss; app-native JSON answers come from the issuer itself.
      authorization_response_iss_parameter_supported: true,
      ui_locales_supported: PAGE_LANGUAGES,
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
        'isk',
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
  @ApiOperation({ summary: 'Public signing keys (JWK Set)' })
  jwks(@Tenant() project: Project, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ keys: JWK[] }> {
    // Key rotation publishes a key at least this long before it signs (docs/signing-keys.md).
    void reply.header('cache-control', `public, max-age=${this.config.jwksMaxAgeSeconds}`);
    return this.keys.jwks(project.id);
  }
}
