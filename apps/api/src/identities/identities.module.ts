import { Module } from '@nestjs/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { SchemasModule } from '../schemas/schemas.module';
import { TotpModule } from '../totp/totp.module';
import { IdentitiesRepository } from './identities.repository';
import { IdentitiesService } from './identities.service';

@Module({
  imports: [TotpModule, SchemasModule],
  providers: [IdentitiesRepository, IdentitiesService, PasswordHasher],
  exports: [IdentitiesRepository, IdentitiesService, PasswordHasher],
})
export class IdentitiesModule {}
