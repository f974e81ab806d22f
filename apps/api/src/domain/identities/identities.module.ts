import { Module } from '@nestjs/common';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { SchemasModule } from '../schemas/schemas.module';
import { IdentitiesRepository } from './identities.repository';

@Module({
  imports: [SchemasModule],
  providers: [IdentitiesRepository, PasswordHasher],
  exports: [IdentitiesRepository, PasswordHasher],
})
export class IdentitiesModule {}
