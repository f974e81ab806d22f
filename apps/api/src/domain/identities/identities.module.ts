import { Module } from '@nestjs/common';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { SchemasModule } from '../schemas/schemas.module';
import { FlowAccounts } from './flow-accounts';
import { IdentitiesRepository } from './identities.repository';

@Module({
  imports: [SchemasModule],
  providers: [IdentitiesRepository, PasswordHasher, FlowAccounts],
  exports: [IdentitiesRepository, PasswordHasher, FlowAccounts],
})
export class IdentitiesModule {}
