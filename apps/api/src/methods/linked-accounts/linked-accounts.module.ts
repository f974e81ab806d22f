import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../domain/connections/connections.module';
import { FederatedIdentitiesModule } from '../../domain/federation/federation.module';

/**
 * What the settings action on linked accounts needs (the connections and the federated credential); the action
 * itself is registered with every other option in the engine's AuthenticatorsModule.
 */
@Module({
  imports: [ConnectionsModule, FederatedIdentitiesModule],
  exports: [ConnectionsModule, FederatedIdentitiesModule],
})
export class LinkedAccountsModule {}
