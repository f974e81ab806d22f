import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { GrantsModule } from '../../domain/grants/grants.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { FlowsModule } from '../../flows/engine/flows.module';
import { SsoModule } from '../../flows/sso/sso.module';
import { HostedAssetsController } from './hosted-assets.controller';
import { HostedLoginService } from './hosted-login.service';
import { HostedLogoutService } from './hosted-logout.service';
import { HostedPages } from './hosted-pages';
import { LoginPagesController } from './login-pages.controller';
import { FederationCallbackController } from './federation-callback.controller';
import { AuthenticatorsModule } from '../../flows/engine/authenticators.module';

/** What the hosted pages share (renderer, CSRF, SSO cookie), the hosted login, and the pages' scripts. */
@Module({
  imports: [
    ProjectsModule,
    ApplicationsModule,
    FlowStoreModule,
    GrantsModule,
    SessionsModule,
    FlowsModule,
    SsoModule,
    AuthenticatorsModule,
  ],
  controllers: [LoginPagesController, FederationCallbackController, HostedAssetsController],
  providers: [TenantPipe, HostedPages, HostedLoginService, HostedLogoutService],
  exports: [HostedPages, HostedLoginService, HostedLogoutService],
})
export class HostedModule {}
