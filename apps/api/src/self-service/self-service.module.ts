import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthenticatorsModule } from '../authenticators/authenticators.module';
import { BackupCodesModule } from '../backup-codes/backup-codes.module';
import { FlowStoreModule } from '../flows/flow-store.module';
import { LockoutModule } from '../lockout/lockout.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TotpModule } from '../totp/totp.module';
import { EmailModule } from '../email/email.module';
import { IdentitiesModule } from '../identities/identities.module';
import { OAuthModule } from '../oauth/oauth.module';
import { ProjectsModule } from '../projects/projects.module';
import { SchemasModule } from '../schemas/schemas.module';
import { TenantPipe } from '../tenancy/tenant.pipe';
import { HostedOAuthFlowsService } from './hosted/hosted-oauth-flows.service';
import { HostedPages } from './hosted/hosted-pages';
import { HostedPagesController } from './hosted/hosted-pages.controller';
import { HostedVerificationService } from './hosted/hosted-verification.service';
import { RecoveryController } from './recovery/recovery.controller';
import { RecoveryService } from './recovery/recovery.service';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';
import { SettingsController } from './settings/settings.controller';
import { SettingsFactors } from './settings/settings-factors.service';
import { SettingsReauthentication } from './settings/settings-reauthentication.service';
import { SettingsService } from './settings/settings.service';
import { VerificationController } from './verification/verification.controller';
import { VerificationService } from './verification/verification.service';

/**
 * Self-service flows under the issuer (`/flows/…`): registration (with email verification by code), verification,
 * recovery; and their hosted pages (`/ui/…`).
 */
@Module({
  imports: [ProjectsModule, ApplicationsModule, IdentitiesModule, SchemasModule, EmailModule, OAuthModule, SessionsModule, AuthenticatorsModule, TotpModule, PasskeysModule, BackupCodesModule, FlowStoreModule, LockoutModule],
  controllers: [VerificationController, RegistrationController, RecoveryController, HostedPagesController, SettingsController],
  providers: [
    TenantPipe,
    RegistrationService,
    VerificationService,
    RecoveryService,
    // Hosted pages ({issuer}/ui/…): HTML in front of the same services.
    HostedPages,
    HostedOAuthFlowsService,
    HostedVerificationService,
    // Settings (Bearer access token; re-authentication by the login authenticators).
    SettingsService,
    SettingsReauthentication,
    SettingsFactors,
  ],
})
export class SelfServiceModule {}
