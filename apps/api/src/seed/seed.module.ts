import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { IdentitiesModule } from '../identities/identities.module';
import { ProjectsModule } from '../projects/projects.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [ProjectsModule, ApplicationsModule, IdentitiesModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
