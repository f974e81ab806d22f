import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EmailModule } from '../email/email.module';
import { IdentitiesModule } from '../identities/identities.module';
import { OAuthModule } from '../oauth/oauth.module';
import { ProjectsModule } from '../projects/projects.module';
import { SchemasModule } from '../schemas/schemas.module';
import { TenantPipe } from '../tenancy/tenant.pipe';
import { RecoveryController } from './recovery/recovery.controller';
import { RecoveryRepository } from './recovery/recovery.repository';
import { RecoveryService } from './recovery/recovery.service';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationRepository } from './registration/registration.repository';
import { RegistrationService } from './registration/registration.service';
import { VerificationController } from './verification/verification.controller';
import { VerificationRepository } from './verification/verification.repository';
import { VerificationService } from './verification/verification.service';

/** Self-service flows under the issuer (`/flows/…`): registration (with email verification by code), verification, recovery. */
@Module({
  imports: [ProjectsModule, ApplicationsModule, IdentitiesModule, SchemasModule, EmailModule, OAuthModule],
  controllers: [VerificationController, RegistrationController, RecoveryController],
  providers: [TenantPipe, RegistrationRepository, RegistrationService, VerificationRepository, VerificationService, RecoveryRepository, RecoveryService],
})
export class SelfServiceModule {}
