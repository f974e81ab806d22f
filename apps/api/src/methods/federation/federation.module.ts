import { Module } from '@nestjs/common';
import { FederatedIdentitiesModule } from '../../domain/federation/federation.module';
import { UpstreamIdTokenVerifier } from './upstream-id-token.verifier';

/** Sign-in through upstream identity providers (issue 12); the connection-driven authenticators will import it. */
@Module({
  imports: [FederatedIdentitiesModule],
  providers: [UpstreamIdTokenVerifier],
  exports: [UpstreamIdTokenVerifier, FederatedIdentitiesModule],
})
export class FederationModule {}
