import { Module } from '@nestjs/common';
import { UpstreamIdTokenVerifier } from './upstream-id-token.verifier';

/** Sign-in through upstream identity providers (issue 12); the connection-driven authenticators will import it. */
@Module({
  providers: [UpstreamIdTokenVerifier],
  exports: [UpstreamIdTokenVerifier],
})
export class FederationModule {}
