import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { SchemasModule } from '../schemas/schemas.module';
import { ExternalCredentialsRepository } from './external-credentials.repository';
import { ExternalIdentities } from './external-identities';
import { ExternalTokenSignIn } from './external-token-sign-in';
import { ExternalTokenVerifier } from './external-token.verifier';
import { TrustedTokenIssuersRepository } from './trusted-token-issuers.repository';
import { TrustedTokenIssuersService } from './trusted-token-issuers.service';

/** External-token sign-in (issue 12): trusted token issuers, checking their tokens, their users as identities. */
@Module({
  imports: [ApplicationsModule, IdentitiesModule, SchemasModule, KeysModule],
  providers: [
    TrustedTokenIssuersRepository,
    TrustedTokenIssuersService,
    ExternalCredentialsRepository,
    ExternalIdentities,
    ExternalTokenVerifier,
    ExternalTokenSignIn,
  ],
  exports: [TrustedTokenIssuersService, ExternalTokenSignIn],
})
export class ExternalTokensModule {}
