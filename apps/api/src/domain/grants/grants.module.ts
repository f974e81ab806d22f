import { Module } from '@nestjs/common';
import { ApiResourcesModule } from '../api-resources/api-resources.module';
import { ApplicationsModule } from '../applications/applications.module';
import { ExternalTokensModule } from '../external-tokens/external-tokens.module';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { ProjectsModule } from '../projects/projects.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthorizationCodeGrant } from './authorization-code.grant';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { AuthorizationResponseService } from './authorization-response.service';
import { AuthorizeService } from './authorize.service';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import { ClientAssertionsRepository } from './client-assertions.repository';
import { ClientAuthenticator } from './client-authentication';
import { ClientKeySets } from './client-key-sets';
import { ClientCredentialsGrant } from './client-credentials.grant';
import { RefreshTokenGrant } from './refresh-token.grant';
import { TokenIntrospection } from './token-introspection';
import { TokenMinter } from './token-minter.service';
import { TokenExchangeGrant } from './token-exchange.grant';
import { TokenRevocation } from './token-revocation';
import { NativeLogout } from './native-logout';

/**
 * Grants: validated authorization requests, the codes a finished flow issues, and the tokens those codes and
 * refresh tokens redeem to. The OAuth endpoints and the self-service flows (which start from the same
 * validated request and finish with the same code) both build on it. AfterFlowHooks (for `login.completed`)
 * comes from the global AfterFlowHooksModule (flows/hooks), which this layer may not import.
 */
@Module({
  imports: [
    ProjectsModule,
    ApplicationsModule,
    ApiResourcesModule,
    IdentitiesModule,
    KeysModule,
    SessionsModule,
    ExternalTokensModule,
  ],
  providers: [
    AuthorizeService,
    ClientAuthenticator,
    ClientAssertionVerifier,
    ClientAssertionsRepository,
    ClientKeySets,
    AuthorizationResponseService,
    AuthorizationCodesRepository,
    TokenMinter,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
    TokenExchangeGrant,
    TokenRevocation,
    TokenIntrospection,
    NativeLogout,
  ],
  exports: [
    AuthorizeService,
    ClientAuthenticator,
    AuthorizationResponseService,
    TokenMinter,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
    TokenExchangeGrant,
    TokenRevocation,
    TokenIntrospection,
    NativeLogout,
  ],
})
export class GrantsModule {}
