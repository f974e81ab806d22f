import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { FederatedIdentitiesModule } from '../federation/federation.module';
import { KeysModule } from '../keys/keys.module';
import { SchemasModule } from '../schemas/schemas.module';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionsService } from './connections.service';

@Module({
  imports: [ApplicationsModule, SchemasModule, KeysModule, FederatedIdentitiesModule],
  providers: [ConnectionsRepository, ConnectionsService],
  exports: [ConnectionsRepository, ConnectionsService],
})
export class ConnectionsModule {}
