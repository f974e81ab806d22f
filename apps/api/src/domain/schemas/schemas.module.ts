import { Module } from '@nestjs/common';
import { IdentitySchemasRepository } from './identity-schemas.repository';
import { IdentitySchemasService } from './identity-schemas.service';

@Module({
  providers: [IdentitySchemasRepository, IdentitySchemasService],
  exports: [IdentitySchemasService],
})
export class SchemasModule {}
