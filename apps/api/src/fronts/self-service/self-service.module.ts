import { FlowsModule } from '../../flows/engine/flows.module';
import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { AuthenticatorsModule } from '../../flows/engine/authenticators.module';
import { BackupCodesModule } from '../../methods/backup-codes/backup-codes.module';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { LockoutModule } from '../../domain/lockout/lockout.module';
import { PasskeysModule } from '../../methods/passkey/passkeys.module';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { TotpModule } from '../../methods/totp/totp.module';
import { EmailModule } from '../../domain/email/email.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { GrantsModule } from '../../domain/grants/grants.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { SchemasModule } from '../../domain/schemas/schemas.module';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { HostedOAuthFlowsService } from '../hosted/hosted-oauth-flows.service';
import { HostedModule } from '../hosted/hosted.module';
import { HostedPagesController } from '../hosted/hosted-pages.controller';
import { HostedVerificationService } from '../hosted/hosted-verification.service';
import { RecoveryController } from './recovery.controller';
import { RecoveryService } from '../../flows/recovery/recovery.service';
import { RecoveryMailModule } from '../../flows/recovery/recovery-mail.module';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from '../../flows/registration/registration.service';
import { SettingsController } from './settings.controller';
import { SettingsService } from '../../flows/settings/settings.service';
import { VerificationController } from './verification.controller';
import { VerificationService } from '../../flows/verification/verification.service';

/**
 * Self-service flows under the issuer (`/flows/…`): registration (with email verification by code), verification,
 * recovery; and their hosted pages (`/ui/…`).
 */
@Module({
  imports: [
    FlowsModule,
    ProjectsModule,
    ApplicationsModule,
    IdentitiesModule,
    SchemasModule,
    EmailModule,
    GrantsModule,
    SessionsModule,
    AuthenticatorsModule,
    TotpModule,
    PasskeysModule,
    BackupCodesModule,
    FlowStoreModule,
    LockoutModule,
    RecoveryMailModule,
    HostedModule,
  ],
  controllers: [
    VerificationController,
    RegistrationController,
    RecoveryController,
    HostedPagesController,
    SettingsController,
  ],
  providers: [
    TenantPipe,
    RegistrationService,
    VerificationService,
    RecoveryService,
    // Hosted pages ({issuer}/ui/…): HTML in front of the same services.
    HostedOAuthFlowsService,
    HostedVerificationService,
    // Settings (Bearer access token), on the flow engine.
    SettingsService,
  ],
})
export class SelfServiceModule {}
