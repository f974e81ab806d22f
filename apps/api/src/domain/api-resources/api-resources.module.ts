import { Module } from '@nestjs/common';
import { ApiResourcesRepository } from './api-resources.repository';
import { ApiResourcesService } from './api-resources.service';

@Module({
  providers: [ApiResourcesRepository, ApiResourcesService],
  exports: [ApiResourcesRepository, ApiResourcesService],
})
export class ApiResourcesModule {}
