import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { SchemasModule } from '../schemas/schemas.module';
import { FederatedCredentialsRepository } from './federated-credentials.repository';
import { FederatedIdentities } from './federated-identities';

/** Identities from outside (issue 12): the federated credential and resolving an upstream login to an identity. */
@Module({
  imports: [IdentitiesModule, SchemasModule],
  providers: [FederatedCredentialsRepository, FederatedIdentities],
  exports: [FederatedIdentities, FederatedCredentialsRepository],
})
export class FederatedIdentitiesModule {}
