import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApplicationsModule } from '../applications/applications.module';
import { EmailModule } from '../email/email.module';
import { FlowsModule } from '../flows/flows.module';
import { IdentitiesModule } from '../identities/identities.module';
import { ProjectsModule } from '../projects/projects.module';
import { IdentitySchemasAdminController } from '../schemas/identity-schemas.admin.controller';
import { SchemasModule } from '../schemas/schemas.module';
import { AdminProjectPipe } from './admin-project.pipe';
import { AdminTokenStrategy } from './admin-token.strategy';
import { EmailAdminController } from './email-admin.controller';
import { ApplicationsAdminController, IdentitiesAdminController, ProjectsAdminController } from './admin.controllers';

@Module({
  imports: [PassportModule, ProjectsModule, ApplicationsModule, IdentitiesModule, FlowsModule, SchemasModule, EmailModule],
  controllers: [ProjectsAdminController, ApplicationsAdminController, IdentitiesAdminController, IdentitySchemasAdminController, EmailAdminController],
  providers: [AdminTokenStrategy, AdminProjectPipe],
})
export class AdminModule {}
