import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApplicationsModule } from '../applications/applications.module';
import { FlowsModule } from '../flows/flows.module';
import { IdentitiesModule } from '../identities/identities.module';
import { ProjectsModule } from '../projects/projects.module';
import { AdminProjectPipe } from './admin-project.pipe';
import { AdminTokenStrategy } from './admin-token.strategy';
import { ApplicationsAdminController, IdentitiesAdminController, ProjectsAdminController } from './admin.controllers';

@Module({
  imports: [PassportModule, ProjectsModule, ApplicationsModule, IdentitiesModule, FlowsModule],
  controllers: [ProjectsAdminController, ApplicationsAdminController, IdentitiesAdminController],
  providers: [AdminTokenStrategy, AdminProjectPipe],
})
export class AdminModule {}
