import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EmailModule } from '../email/email.module';
import { IdentitiesModule } from '../identities/identities.module';
import { OAuthModule } from '../oauth/oauth.module';
import { ProjectsModule } from '../projects/projects.module';
import { SchemasModule } from '../schemas/schemas.module';
import { TenantPipe } from '../tenancy/tenant.pipe';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationRepository } from './registration/registration.repository';
import { RegistrationService } from './registration/registration.service';

/** Self-service flows under the issuer (`/flows/…`): registration (with email verification by code). */
@Module({
  imports: [ProjectsModule, ApplicationsModule, IdentitiesModule, SchemasModule, EmailModule, OAuthModule],
  controllers: [RegistrationController],
  providers: [TenantPipe, RegistrationRepository, RegistrationService],
})
export class SelfServiceModule {}
