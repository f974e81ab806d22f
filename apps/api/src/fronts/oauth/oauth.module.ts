import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { EmailModule } from '../../domain/email/email.module';
import { FlowsModule } from '../../flows/engine/flows.module';
import { GrantsModule } from '../../domain/grants/grants.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { KeysModule } from '../../domain/keys/keys.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { HostedModule } from '../hosted/hosted.module';
import { SsoModule } from '../../flows/sso/sso.module';
import { AppNativePresenter } from './app-native.presenter';
import { AuthnController } from './authn.controller';
import { AuthorizeChallengeController } from './authorize-challenge/authorize-challenge.controller';
import { AuthorizeChallengeService } from './authorize-challenge/authorize-challenge.service';
import { FirstPartyPresenter } from './authorize-challenge/first-party.presenter';
import { AuthorizeController } from './authorize.controller';
import { DiscoveryController } from './discovery.controller';
import { TokenController } from './token.controller';
import { TokenStatusController } from './token-status.controller';
import { UserinfoController } from './userinfo.controller';
import { LogoutController } from './logout.controller';

@Module({
  imports: [
    ProjectsModule,
    ApplicationsModule,
    IdentitiesModule,
    KeysModule,
    FlowsModule,
    SessionsModule,
    EmailModule,
    GrantsModule,
    HostedModule,
    SsoModule,
  ],
  controllers: [
    AuthorizeController,
    AuthnController,
    AuthorizeChallengeController,
    TokenController,
    TokenStatusController,
    UserinfoController,
    LogoutController,
    DiscoveryController,
  ],
  providers: [TenantPipe, AppNativePresenter, AuthorizeChallengeService, FirstPartyPresenter],
})
export class OAuthModule {}
