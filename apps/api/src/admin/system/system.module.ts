import { Module } from '@nestjs/common';
import { AccessModule } from '../../domain/access/access.module';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { AdminIdentitiesModule } from '../identities/admin-identities.module';
import { SystemProjectService } from './system-project.service';

@Module({
  imports: [AccessModule, ApplicationsModule, IdentitiesModule, ProjectsModule, AdminIdentitiesModule],
  providers: [SystemProjectService],
  exports: [SystemProjectService],
})
export class SystemModule {}
