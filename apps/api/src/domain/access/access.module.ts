import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';

@Module({
  imports: [ProjectsModule],
  providers: [AccessRepository, AccessService],
  exports: [AccessRepository, AccessService],
})
export class AccessModule {}
