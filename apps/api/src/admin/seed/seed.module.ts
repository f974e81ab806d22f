import { AdminIdentitiesModule } from '../identities/admin-identities.module';
import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [AdminIdentitiesModule, ProjectsModule, ApplicationsModule, IdentitiesModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
