import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../domain/connections/connections.module';
import { UpstreamIdTokenVerifier } from './upstream-id-token.verifier';
import { UpstreamLogin } from './upstream-login';

/** The provider side of sign-in through upstream identity providers: ID token checks, redirects, code redemption. */
@Module({
  imports: [ConnectionsModule],
  providers: [UpstreamIdTokenVerifier, UpstreamLogin],
  exports: [UpstreamIdTokenVerifier, UpstreamLogin],
})
export class FederationModule {}
