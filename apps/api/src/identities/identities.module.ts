import { Module } from '@nestjs/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { IdentitiesRepository } from './identities.repository';
import { IdentitiesService } from './identities.service';

@Module({
  providers: [IdentitiesRepository, IdentitiesService, PasswordHasher],
  exports: [IdentitiesRepository, IdentitiesService, PasswordHasher],
})
export class IdentitiesModule {}
