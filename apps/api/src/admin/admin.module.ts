import { AdminIdentitiesModule } from './identities/admin-identities.module';
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApplicationsModule } from '../domain/applications/applications.module';
import { EmailModule } from '../domain/email/email.module';
import { FlowsModule } from '../flows/engine/flows.module';
import { IdentitiesModule } from '../domain/identities/identities.module';
import { ProjectsModule } from '../domain/projects/projects.module';
import { IdentitySchemasAdminController } from './identity-schemas.admin.controller';
import { SchemasModule } from '../domain/schemas/schemas.module';
import { AdminProjectPipe } from './admin-project.pipe';
import { AdminTokenStrategy } from './admin-token.strategy';
import { EmailAdminController } from './email-admin.controller';
import { ApplicationsAdminController, IdentitiesAdminController, ProjectsAdminController } from './admin.controllers';

@Module({
  imports: [
    AdminIdentitiesModule,
    PassportModule,
    ProjectsModule,
    ApplicationsModule,
    IdentitiesModule,
    FlowsModule,
    SchemasModule,
    EmailModule,
  ],
  controllers: [
    ProjectsAdminController,
    ApplicationsAdminController,
    IdentitiesAdminController,
    IdentitySchemasAdminController,
    EmailAdminController,
  ],
  providers: [AdminTokenStrategy, AdminProjectPipe],
})
export class AdminModule {}
