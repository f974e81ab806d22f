import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { SchemasModule } from '../../domain/schemas/schemas.module';
import { TotpModule } from '../../methods/totp/totp.module';
import { IdentitiesService } from './identities.service';

/** Identities as administrators create and inspect them (imported credentials, credential summaries). */
@Module({
  imports: [IdentitiesModule, SchemasModule, TotpModule],
  providers: [IdentitiesService],
  exports: [IdentitiesService],
})
export class AdminIdentitiesModule {}
