import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EmailModule } from '../email/email.module';
import { FlowsModule } from '../flows/flows.module';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { ProjectsModule } from '../projects/projects.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TenantPipe } from '../tenancy/tenant.pipe';
import { AppNativePresenter } from './app-native.presenter';
import { AuthnController } from './authn.controller';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { AuthorizationResponseService } from './authorization-response.service';
import { AuthorizeChallengeController } from './authorize-challenge/authorize-challenge.controller';
import { AuthorizeChallengeService } from './authorize-challenge/authorize-challenge.service';
import { FirstPartyPresenter } from './authorize-challenge/first-party.presenter';
import { AuthorizeController } from './authorize/authorize.controller';
import { AuthorizeService } from './authorize/authorize.service';
import { ClientAuthenticator } from './client-authentication';
import { DiscoveryController } from './discovery.controller';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { RefreshTokenGrant } from './token/grants/refresh-token.grant';
import { TokenController } from './token/token.controller';
import { TokenMinter } from './tokens/token-minter.service';
import { UserinfoController } from './userinfo.controller';

@Module({
  imports: [ProjectsModule, ApplicationsModule, IdentitiesModule, KeysModule, FlowsModule, SessionsModule, EmailModule],
  controllers: [AuthorizeController, AuthnController, AuthorizeChallengeController, TokenController, UserinfoController, DiscoveryController],
  providers: [
    TenantPipe,
    AuthorizeService,
    ClientAuthenticator,
    AppNativePresenter,
    AuthorizeChallengeService,
    FirstPartyPresenter,
    AuthorizationResponseService,
    AuthorizationCodesRepository,
    TokenMinter,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
  ],
  // The self-service flows start from the same validated authorization request and finish with the same code
  // (or, for a registration started without one, with the token response that code redeems to).
  exports: [AuthorizeService, AuthorizationResponseService, AuthorizationCodeGrant],
})
export class OAuthModule {}
